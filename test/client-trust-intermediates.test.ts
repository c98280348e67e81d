/*
 * Dedicated client trust, proven on PostgreSQL 15 (issue 14, part 1): with `ca init --intermediates`,
 * `sandbox up` makes the server trust the "client" intermediate alone for `cert` logins (ssl_ca_file =
 * its self-signed anchor twin). A client-profile certificate CN=postgres (the superuser) signed by the
 * server intermediate, or by the root, is refused by the real server; the same CN from the client
 * issuer logs in, sending its leaf alone or leaf + intermediate; the server certificate (leaf + server
 * intermediate) passes verify-full with psql and node-postgres against the root. Then the same with a
 * CRL installed (PostgreSQL's X509_V_FLAG_CRL_CHECK_ALL), where a revoked client certificate is refused.
 * The README's table ("Dedicated client trust") is this test's.
 */
import "reflect-metadata";

import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { chown, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import * as x509 from "@peculiar/x509";

import { pgwarden, tempDir } from "./support/cli.js";
import { jdbc, nodePostgres, psql, psycopg } from "./support/clients.js";
import { runClient } from "./support/pg-cluster.js";
import { startSandbox, type TestSandbox } from "./support/sandbox.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const SUPERUSER = "postgres";

interface Issued {
  certPath: string;
  keyPath: string;
  chainPath?: string;
  serial: string;
  issuerName: string;
}

async function issue(pki: string, group: string, issuer?: string): Promise<Issued> {
  const args = ["--format", "json", "cert", "issue", "--pki", pki, "--profile", "client", "--cn", SUPERUSER];
  const result = await pgwarden([...args, "--group", group, ...(issuer ? ["--issuer", issuer] : [])]);
  assert.equal(result.code, 0, result.stderr);
  const [issued] = (JSON.parse(result.stdout) as { issued: Issued[] }).issued;
  return issued as Issued;
}

/** A CRL of `issuer` (`ca/<name>.crt` + key), revoking `serials`, in PEM as PostgreSQL reads it. */
async function crlOf(pki: string, name: string, serials: readonly string[]): Promise<string> {
  const base = name === "ca" ? "ca" : `${name}-ca`;
  const cert = new x509.X509Certificate(await readFile(join(pki, "ca", `${base}.crt`), "utf8"));
  const keyPem = await readFile(join(pki, "ca", `${base}.key`), "utf8");
  const der = x509.PemConverter.decode(keyPem)[0] as ArrayBuffer;
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const signingKey = await webcrypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
  const now = Date.now();
  const crl = await x509.X509CrlGenerator.create({
    issuer: cert.subject,
    thisUpdate: new Date(now - 60_000),
    nextUpdate: new Date(now + 86_400_000),
    entries: serials.map((serialNumber) => ({ serialNumber, revocationDate: new Date(now - 30_000) })),
    signingAlgorithm: algorithm,
    signingKey,
  });
  return `${x509.PemConverter.encode(crl.rawData, "X509 CRL").trimEnd()}\n`;
}

describe("dedicated client trust on PostgreSQL 15 (ca init --intermediates, sandbox up)", { timeout: 300_000 }, () => {
  let pki: string;
  let cleanup: () => Promise<void>;
  let sandbox: TestSandbox;
  let good: Issued;
  let byServer: Issued;
  let byRoot: Issued;

  const login = (cert: string, key: string) =>
    psql(
      `host=localhost port=${sandbox.port} dbname=postgres user=${SUPERUSER} sslmode=verify-full ` +
        `sslrootcert=${pki}/ca/ca.crt sslcert=${cert} sslkey=${key}`,
    );

  before(async () => {
    ({ dir: pki, cleanup } = await tempDir("pgwarden-client-trust-"));
    pki = join(pki, "pki");
    const init = await pgwarden(["ca", "init", "--pki", pki, "--intermediates", "--no-passphrase"]);
    assert.equal(init.code, 0, init.stderr);
    sandbox = await startSandbox(pki);
    good = await issue(pki, "good");
    byServer = await issue(pki, "by-server", "server");
    byRoot = await issue(pki, "by-root", "ca");
  });

  after(async () => {
    await sandbox?.stop();
    await cleanup?.();
  });

  test("the server trusts the client issuer's anchor twin, and serves its leaf followed by the server intermediate", async () => {
    const rootCrt = await readFile(join(sandbox.pgdata, "root.crt"), "utf8");
    assert.equal(rootCrt, await readFile(join(pki, "ca", "client-ca.anchor.crt"), "utf8"));
    const served = await readFile(join(sandbox.pgdata, "server.crt"), "utf8");
    assert.equal(served.match(/BEGIN CERTIFICATE/g)?.length, 2, "server.crt is leaf + intermediate");
    assert.ok(served.endsWith(await readFile(join(pki, "ca", "server-ca.crt"), "utf8")));
    assert.equal(good.issuerName, "client");
    assert.equal(byServer.issuerName, "server");
    assert.equal(byRoot.issuerName, "ca");
    assert.equal(byRoot.chainPath, undefined, "a root-signed leaf has no chain file");
  });

  test("CN=postgres from the client intermediate logs in, with its leaf alone or leaf + intermediate", async () => {
    const alone = await login(good.certPath, good.keyPath);
    assert.ok(alone.ok, alone.stderr);
    assert.equal(alone.stdout, SUPERUSER);
    const chained = await login(good.chainPath as string, good.keyPath);
    assert.ok(chained.ok, chained.stderr);
  });

  test("CN=postgres signed by the server intermediate is refused, with or without its chain", async () => {
    for (const cert of [byServer.certPath, byServer.chainPath as string]) {
      const refused = await login(cert, byServer.keyPath);
      assert.equal(refused.ok, false, `${cert} logged in as the superuser`);
      assert.match(refused.stderr, /certificate|unknown ca|SSL/i);
    }
    assert.match(await sandbox.log(), /could not accept SSL connection: .*certificate/);
  });

  test("CN=postgres signed by the root itself is refused", async () => {
    const refused = await login(byRoot.certPath, byRoot.keyPath);
    assert.equal(refused.ok, false, "a root-signed CN=postgres logged in");
  });

  test("openssl verify (PostgreSQL's flags) agrees: only the client issuer's leaf verifies under the anchor", async () => {
    const anchor = join(pki, "ca", "client-ca.anchor.crt");
    const verify = (cert: string) => runClient("openssl", ["verify", "-purpose", "sslclient", "-CAfile", anchor, cert]);
    assert.equal((await verify(good.certPath)).code, 0);
    assert.notEqual((await verify(byServer.certPath)).code, 0);
    assert.notEqual((await verify(byRoot.certPath)).code, 0);
    // The intermediate itself as the only trusted certificate is no anchor (no partial chains): refused.
    const plain = await runClient("openssl", [
      "verify",
      "-purpose",
      "sslclient",
      "-CAfile",
      join(pki, "ca", "client-ca.crt"),
      good.certPath,
    ]);
    assert.notEqual(plain.code, 0);
    assert.match(plain.stdout + plain.stderr, /unable to get issuer certificate/);
  });

  test("the server certificate (leaf + server intermediate) passes verify-full under the root with psql and node-postgres", async () => {
    const pq = await login(good.certPath, good.keyPath);
    assert.ok(pq.ok, pq.stderr);
    const url =
      `postgresql://${SUPERUSER}@localhost:${sandbox.port}/postgres?sslmode=verify-full` +
      `&sslrootcert=${encodeURIComponent(`${pki}/ca/ca.crt`)}` +
      `&sslcert=${encodeURIComponent(good.certPath)}&sslkey=${encodeURIComponent(good.keyPath)}`;
    const node = await nodePostgres(url);
    assert.ok(node.ok, node.stderr);
    assert.equal(node.stdout, SUPERUSER);
  });

  test("cert export ships leaf + intermediate and the root: psql, psycopg, pgjdbc and node-postgres log in with verify-full", async () => {
    const out = join(pki, "..", "bundle");
    const args = ["--format", "json", "cert", "export", "--pki", pki, "--cn", SUPERUSER, "--group", "good"];
    const target = ["--key-format", "pk8", "--out", out, "--host", "localhost", "--port", String(sandbox.port)];
    const exported = await pgwarden([...args, ...target]);
    assert.equal(exported.code, 0, exported.stderr);
    const strings = JSON.parse(exported.stdout) as {
      libpq: string;
      nodePostgres: string;
      psycopg: string;
      jdbc: string;
    };
    assert.equal(await readFile(join(out, "postgresql.crt"), "utf8"), await readFile(good.chainPath as string, "utf8"));
    assert.equal(await readFile(join(out, "root.crt"), "utf8"), await readFile(join(pki, "ca", "ca.crt"), "utf8"));
    assert.doesNotMatch(strings.libpq, /sslcrl/, "no combined CRL in the PKI, no sslcrl");
    // pgjdbc sends no certificate when its file ends with the intermediate (issuer: the root, not a CA the server names).
    assert.match(strings.jdbc, /sslcert=[^&]*postgresql-jdbc\.crt/);
    assert.equal(await readFile(join(out, "postgresql-jdbc.crt"), "utf8"), await readFile(good.certPath, "utf8"));
    for (const [name, outcome] of [
      ["psql", await psql(strings.libpq)],
      ["psycopg", await psycopg(strings.psycopg)],
      ["pgjdbc", await jdbc(strings.jdbc)],
      ["node-postgres", await nodePostgres(strings.nodePostgres)],
    ] as const) {
      assert.ok(outcome.ok, `${name}: ${outcome.stderr}`);
      assert.equal(outcome.stdout, SUPERUSER, name);
    }
  });

  test("pg tls --reload into the same PGDATA keeps the anchor as root.crt and serves leaf + server intermediate; logins still hold", async () => {
    await sandbox.serveCertificateFor("localhost", ["localhost", "127.0.0.1"]);
    assert.equal(
      await readFile(join(sandbox.pgdata, "root.crt"), "utf8"),
      await readFile(join(pki, "ca", "client-ca.anchor.crt"), "utf8"),
    );
    const served = await readFile(join(sandbox.pgdata, "server.crt"), "utf8");
    assert.ok(served.endsWith(await readFile(join(pki, "ca", "server-ca.crt"), "utf8")), "leaf + server intermediate");
    assert.ok((await login(good.certPath, good.keyPath)).ok);
    assert.equal((await login(byServer.chainPath as string, byServer.keyPath)).ok, false);
    await sandbox.restore();
  });

  /** SQL as the superuser over the Unix socket (peer, as the server's account): works whatever ssl_ca_file trusts. */
  const socketSql = async (sql: string) => {
    const args = ["-u", "postgres", "--", "psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"];
    const socket = ["-h", join(sandbox.dir, "socket"), "-p", String(sandbox.port), "-d", "postgres"];
    // On stdin, each statement on its own: ALTER SYSTEM cannot run inside the transaction of a -c.
    const result = await runClient("runuser", [...args, ...socket], { input: sql });
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };

  /** Writes `name` into PGDATA as the server's account and reloads, failing when PostgreSQL rejects the SSL setup. */
  const installAndReload = async (files: Record<string, string>, sql: string, mayBeRejected = false) => {
    const owner = await stat(sandbox.pgdata);
    for (const [name, content] of Object.entries(files)) {
      const path = join(sandbox.pgdata, name);
      await writeFile(path, content, { mode: 0o600 });
      await chown(path, owner.uid, owner.gid);
    }
    const rejected = () => sandbox.log().then((log) => log.split("SSL configuration was not reloaded").length);
    const rejectedBefore = await rejected();
    await socketSql(`${sql} SELECT pg_reload_conf();`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A reload PostgreSQL rejects keeps the old SSL setup serving: what is tested must really be in force.
    const loaded = (await rejected()) === rejectedBefore;
    if (!mayBeRejected) assert.ok(loaded, `PostgreSQL did not load it:\n${(await sandbox.log()).slice(-800)}`);
    return loaded;
  };
  const allCrls = async (revoked: readonly string[] = []) =>
    (await crlOf(pki, "ca", [])) + (await crlOf(pki, "server", [])) + (await crlOf(pki, "client", revoked));

  test("with a CRL of every issuer installed (CRL_CHECK_ALL), the client issuer still logs in, the others are refused, a revoked one too", async () => {
    await installAndReload({ "test.crl": await allCrls() }, "ALTER SYSTEM SET ssl_crl_file = 'test.crl';");
    assert.equal(await socketSql("SHOW ssl_crl_file"), "test.crl");
    const ok = await login(good.certPath, good.keyPath);
    assert.ok(ok.ok, `the client issuer's certificate was refused with a CRL installed: ${ok.stderr}`);
    assert.equal((await login(byServer.certPath, byServer.keyPath)).ok, false);
    assert.equal((await login(byRoot.certPath, byRoot.keyPath)).ok, false);

    await installAndReload({ "test.crl": await allCrls([good.serial]) }, "");
    const revoked = await login(good.certPath, good.keyPath);
    assert.equal(revoked.ok, false, "a revoked client certificate logged in");
    assert.match(revoked.stderr, /revoked/);
    await installAndReload({}, "ALTER SYSTEM RESET ssl_crl_file;");
  });

  /*
   * The README's table, measured on this server: what each possible ssl_ca_file lets log in as CN=postgres
   * (good: the client issuer's; bad: signed by the server intermediate; rootsigned: by the root), without
   * and with a CRL of every issuer. The anchor twin is the only one that admits the client issuer alone.
   */
  test("what ssl_ca_file must hold: PostgreSQL 15's verdicts for each candidate, without and with CRLs", async () => {
    const read = (name: string) => readFile(join(pki, "ca", name), "utf8");
    const trusted = await runClient("openssl", [
      "x509",
      "-in",
      join(pki, "ca", "client-ca.crt"),
      "-addtrust",
      "clientAuth",
      "-trustout",
    ]);
    assert.equal(trusted.code, 0, trusted.stderr);
    const candidates: Record<string, string> = {
      "client intermediate (plain)": await read("client-ca.crt"),
      root: await read("ca.crt"),
      "root + client intermediate": (await read("ca.crt")) + (await read("client-ca.crt")),
      "client intermediate as TRUSTED CERTIFICATE (clientAuth)": trusted.stdout,
      "client anchor twin (pgwarden)": await read("client-ca.anchor.crt"),
    };
    const seen: Record<string, string> = {};
    for (const withCrl of [false, true]) {
      await installAndReload(
        { "test.crl": await allCrls() },
        withCrl ? "ALTER SYSTEM SET ssl_crl_file = 'test.crl';" : "ALTER SYSTEM RESET ssl_crl_file;",
      );
      for (const [name, pem] of Object.entries(candidates)) {
        const key = `${name}${withCrl ? ", with CRLs" : ""}`;
        if (!(await installAndReload({ "test-ca.crt": pem }, "ALTER SYSTEM SET ssl_ca_file = 'test-ca.crt';", true))) {
          const reason = /could not load root certificate file "test-ca.crt": (.*)/.exec(await sandbox.log())?.[1];
          seen[key] = `not loaded by PostgreSQL (${reason ?? "?"})`;
          // The previous setup keeps serving: put a loadable file back before the next candidate.
          await installAndReload({ "test-ca.crt": await read("ca.crt") }, "");
          continue;
        }
        const verdicts = [];
        for (const [label, cert] of [
          ["good", good],
          ["bad", byServer],
          ["rootsigned", byRoot],
        ] as const)
          // Each sends its chain (leaf + intermediate), as cert export ships it and as an attacker would.
          verdicts.push(
            `${label} ${(await login(cert.chainPath ?? cert.certPath, cert.keyPath)).ok ? "in" : "refused"}`,
          );
        seen[key] = verdicts.join(", ");
      }
    }
    // Back to what sandbox up installed (root.crt, no CRL) through the administrator's own certificate.
    await installAndReload({}, "ALTER SYSTEM RESET ssl_ca_file; ALTER SYSTEM RESET ssl_crl_file;");
    const allIn = "good in, bad in, rootsigned in";
    const noneIn = "good refused, bad refused, rootsigned refused";
    const goodOnly = "good in, bad refused, rootsigned refused";
    assert.deepEqual(seen, {
      "client intermediate (plain)": noneIn,
      root: allIn,
      "root + client intermediate": allIn,
      // OpenSSL's own verify accepts it as an anchor, but PostgreSQL reads ssl_ca_file's names with
      // SSL_load_client_CA_file (plain CERTIFICATE only): the reload is rejected, the old setup keeps serving.
      "client intermediate as TRUSTED CERTIFICATE (clientAuth)": "not loaded by PostgreSQL (no start line)",
      "client anchor twin (pgwarden)": goodOnly,
      "client intermediate (plain), with CRLs": noneIn,
      "root, with CRLs": allIn,
      "root + client intermediate, with CRLs": allIn,
      "client intermediate as TRUSTED CERTIFICATE (clientAuth), with CRLs": "not loaded by PostgreSQL (no start line)",
      "client anchor twin (pgwarden), with CRLs": goodOnly,
    });
  });
});
