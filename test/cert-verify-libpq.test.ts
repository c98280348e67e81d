/*
 * `cert verify --host` against libpq itself: each row serves a certificate from a real
 * PostgreSQL (reloaded between rows) and connects psql with sslmode=verify-full,
 * hostaddr=127.0.0.1 and host=<the name>, so libpq checks exactly that name; pgwarden's
 * verdict for the same certificate and host must be libpq's.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { verifyCertificate } from "../src/pki/verify/verify-certificate.js";
import { pgwarden, tempDir } from "./support/cli.js";
import { psql } from "./support/clients.js";
import { type Cluster, startCluster } from "./support/pg-cluster.js";
import { type CertSpec, type Fixture, makeCertificate, privateKeyPem } from "./support/x509-fixtures.js";

interface HostRow {
  readonly name: string;
  readonly cert: Omit<CertSpec, "issuer">;
  readonly host: string;
  /** libpq's verdict, stated so the table documents it. */
  readonly connects: boolean;
}

const server = (name: string, extra: Partial<CertSpec> = {}): Omit<CertSpec, "issuer"> => ({
  name,
  extKeyUsage: ["serverAuth"],
  ...extra,
});

const ROWS: readonly HostRow[] = [
  {
    name: "a dNSName SAN equal to the host",
    cert: server("CN=pg-1", { dns: ["db.example.com"] }),
    host: "db.example.com",
    connects: true,
  },
  {
    name: "a dNSName SAN in other letter case",
    cert: server("CN=pg-1", { dns: ["DB.Example.COM"] }),
    host: "db.example.COM",
    connects: true,
  },
  {
    name: "a *. wildcard for one label",
    cert: server("CN=pg-1", { dns: ["*.example.com"] }),
    host: "db.example.com",
    connects: true,
  },
  {
    name: "a *. wildcard does not span two labels",
    cert: server("CN=pg-1", { dns: ["*.example.com"] }),
    host: "a.b.example.com",
    connects: false,
  },
  {
    name: "a partial-label wildcard pg*.example.com",
    cert: server("CN=pg-1", { dns: ["pg*.example.com"] }),
    host: "pg1.example.com",
    connects: false,
  },
  { name: "an IP address only in the CN, no SAN", cert: server("CN=127.0.0.1"), host: "127.0.0.1", connects: true },
  {
    name: "an IP address in the CN beside a dNSName SAN",
    cert: server("CN=127.0.0.1", { dns: ["db.example.com"] }),
    host: "127.0.0.1",
    connects: true,
  },
  {
    name: "an IP address in the CN, another in an iPAddress SAN",
    cert: server("CN=127.0.0.1", { ip: ["127.0.0.2"] }),
    host: "127.0.0.1",
    connects: false,
  },
  {
    name: "the CN is ignored beside a dNSName SAN",
    cert: server("CN=other.example.com", { dns: ["db.example.com"] }),
    host: "other.example.com",
    connects: false,
  },
  {
    name: "the CN counts when there is no SAN",
    cert: server("CN=db.example.com"),
    host: "db.example.com",
    connects: true,
  },
  {
    name: "an iPAddress SAN matched as an address (127.1 is 127.0.0.1)",
    cert: server("CN=pg-1", { ip: ["127.0.0.1"] }),
    host: "127.1",
    connects: true,
  },
  {
    name: "an address written in a dNSName SAN matches as text",
    cert: server("CN=pg-1", { dns: ["127.0.0.1"] }),
    host: "127.0.0.1",
    connects: true,
  },
  {
    name: "the CN counts for a name when the SANs are only addresses",
    cert: server("CN=db.example.com", { ip: ["127.0.0.1"] }),
    host: "db.example.com",
    connects: true,
  },
];

describe("cert verify --host decides as libpq (psql, sslmode=verify-full)", { concurrency: false }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let cluster: Cluster;
  let root: Fixture;
  let rootFile: string;
  const certs = new Map<string, Fixture>();

  before(async () => {
    ({ dir, cleanup } = await tempDir("pgwarden-verify-host-"));
    const now = new Date();
    root = await makeCertificate({ name: "CN=Host Test Root" }, now);
    rootFile = join(dir, "root.crt");
    await writeFile(rootFile, root.pem);
    for (const row of ROWS) certs.set(row.name, await makeCertificate({ ...row.cert, issuer: root }, now));
    const first = certs.get(ROWS[0]!.name)!;
    cluster = await startCluster({
      tls: { certPem: first.pem, keyPem: await privateKeyPem(first.keys) },
      hba: ["hostssl all all 127.0.0.1/32 trust"],
    });
  });
  after(async () => {
    await cluster?.stop();
    await cleanup();
  });

  for (const row of ROWS) {
    test(`${row.name} (host=${row.host}): libpq ${row.connects ? "connects" : "refuses"}, and so does pgwarden`, async () => {
      const cert = certs.get(row.name)!;
      await cluster.writeTls({ certPem: cert.pem, keyPem: await privateKeyPem(cert.keys) });
      await cluster.reload();
      const conninfo = [
        `host=${row.host}`,
        "hostaddr=127.0.0.1",
        `port=${cluster.port}`,
        "dbname=postgres",
        `user=${cluster.superuser}`,
        "sslmode=verify-full",
        `sslrootcert=${rootFile}`,
        `sslcert=${join(dir, "no-client.crt")}`,
        `sslkey=${join(dir, "no-client.key")}`,
      ].join(" ");
      const libpq = await psql(conninfo, { sql: "select 'served'", env: { HOME: dir } });
      assert.equal(
        libpq.ok,
        row.connects,
        `the table says libpq ${row.connects ? "connects" : "refuses"}: ${libpq.stdout} ${libpq.stderr}`,
      );
      if (!libpq.ok) assert.match(libpq.stderr, /does not match host name|could not get server's host name/);

      const result = verifyCertificate(cert.der, { roots: [root.der], purpose: "server", host: row.host });
      assert.equal(
        result.ok,
        libpq.ok,
        `pgwarden: ${result.reason ?? "verified"}; libpq: ${libpq.stderr || "connected"}`,
      );
      if (!libpq.ok) {
        const libpqWords = /server certificate for .* does not match host name "[^"]*"/.exec(libpq.stderr)?.[0];
        if (libpqWords)
          assert.ok(
            result.reason?.includes(libpqWords),
            `pgwarden says what libpq says (${libpqWords}): ${result.reason}`,
          );
      }
    });
  }

  test("the CLI agrees with libpq where OpenSSL's own host check does not (partial wildcard)", async () => {
    const row = ROWS.find((candidate) => candidate.cert.dns?.includes("pg*.example.com"))!;
    const cert = certs.get(row.name)!;
    const file = join(dir, "partial-wildcard.crt");
    await writeFile(file, cert.pem);
    // OpenSSL's X509_check_host accepts pg*.example.com for pg1.example.com; libpq does not, and libpq is the client.
    const openssl = spawnSync(
      "openssl",
      ["verify", "-x509_strict", "-CAfile", rootFile, "-verify_hostname", row.host, file],
      { encoding: "utf8" },
    );
    assert.equal(openssl.status, 0, openssl.stderr);
    const cli = await pgwarden(["cert", "verify", file, "--ca", rootFile, "--purpose", "server", "--host", row.host]);
    assert.equal(cli.code, 1, cli.stderr + cli.stdout);
    assert.match(
      cli.stderr,
      /server certificate for "pg\*\.example\.com" does not match host name "pg1\.example\.com"/,
    );

    const ipInCn = ROWS.find((candidate) => candidate.name === "an IP address only in the CN, no SAN")!;
    const ipFile = join(dir, "ip-in-cn.crt");
    await writeFile(ipFile, certs.get(ipInCn.name)!.pem);
    const accepted = await pgwarden([
      "cert",
      "verify",
      ipFile,
      "--ca",
      rootFile,
      "--purpose",
      "server",
      "--host",
      "127.0.0.1",
    ]);
    assert.equal(accepted.code, 0, accepted.stderr + accepted.stdout);
  });
});
