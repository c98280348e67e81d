import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";

import pg from "pg";

import { ExitCode, PgwardenError } from "../../core/errors.js";
import { initCa } from "../authority/ca-init.js";
import { combinedCrlPath } from "../authority/issuers.js";
import { issueCertificate } from "../issuing/issue.js";
import { PROFILES } from "../issuing/profiles.js";
import { type PkiLayout, pkiLayout } from "../pki-layout.js";
import { writeCrls } from "../revocation/crl-writer.js";
import { exportClientBundle, libpqUserDir } from "./client-bundle.js";
import {
  type CertificateLogin,
  jdbcUrl,
  libpqConninfo,
  nodePostgresUrl,
  psqlCommand,
  psycopgConnect,
  shellWord,
} from "./conninfo.js";

const login = (overrides: Partial<CertificateLogin> = {}): CertificateLogin => ({
  host: "localhost",
  port: 5432,
  dbname: "postgres",
  user: "app",
  sslrootcert: "/b/root.crt",
  sslcert: "/b/postgresql.crt",
  sslkey: "/b/postgresql.key",
  ...overrides,
});

/** How pgjdbc reads its URL: split at the first `?`, then `&` and the first `=`; URLDecoder turns `+` into a space. */
function parseJdbcUrl(url: string): { host: string; database: string; params: Map<string, string> } {
  const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, " "));
  const match = /^jdbc:postgresql:\/\/([^/]+)\/([^?]*)\?(.*)$/.exec(url);
  assert.ok(match, url);
  const params = new Map(
    (match[3] ?? "")
      .split("&")
      .map((pair) => [pair.slice(0, pair.indexOf("=")), decode(pair.slice(pair.indexOf("=") + 1))] as const),
  );
  return { host: match[1] ?? "", database: decode(match[2] ?? ""), params };
}

describe("connection strings", () => {
  test("libpq: values with spaces, quotes and backslashes are single-quoted and escaped", () => {
    assert.equal(
      libpqConninfo(login({ dbname: "app db", sslrootcert: "/it's/a\\dir/root.crt" })),
      "host=localhost port=5432 dbname='app db' user=app sslmode=verify-full sslrootcert='/it\\'s/a\\\\dir/root.crt' sslcert=/b/postgresql.crt sslkey=/b/postgresql.key",
    );
  });

  test("psql: the line is one shell word whatever the string holds", () => {
    const samples = ["host=a dbname=b", "dbname='a b'", `x="y" $HOME \`id\` \\ ! it's`, "plain"];
    for (const sample of samples) {
      const echoed = spawnSync("/bin/sh", ["-c", `printf %s ${shellWord(sample)}`], { encoding: "utf8" });
      assert.equal(echoed.stdout, sample, shellWord(sample));
    }
    assert.equal(psqlCommand("host=a port=1"), `psql "host=a port=1"`, "double quotes when they are safe");
  });

  test("psycopg: the call holds the libpq string as a Python (and JSON) string literal", () => {
    const libpq = libpqConninfo(login({ dbname: `it's "x"`, sslkey: "/a\\b/postgresql.key" }));
    const call = psycopgConnect(libpq);
    const literal = /^psycopg\.connect\((.*)\)$/.exec(call)?.[1] ?? "";
    assert.equal(JSON.parse(literal), libpq);
  });

  test("node-postgres: pg reads back the database, user, host, port and the files, even with odd names", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pgwarden-conninfo-"));
    try {
      const bundle = join(dir, "it's a b+c&d=e%f#g");
      await mkdir(bundle);
      const files = {
        sslrootcert: join(bundle, "root.crt"),
        sslcert: join(bundle, "postgresql.crt"),
        sslkey: join(bundle, "postgresql.key"),
      };
      await Promise.all(Object.entries(files).map(([name, path]) => writeFile(path, `${name} content`)));
      for (const dbname of ["postgres", "app db", `it's "q"`, "a;b:c@d&e=f+g$h,i", "100%", "dé"]) {
        const url = nodePostgresUrl(login({ dbname, user: "app+user", ...files }));
        assert.ok(url, dbname);
        const client = new pg.Client(url);
        const ssl = client.ssl as unknown as { ca: string; cert: string; key: string };
        assert.deepEqual(
          {
            database: client.database,
            user: client.user,
            host: client.host,
            port: client.port,
            ca: ssl.ca,
            cert: ssl.cert,
            key: ssl.key,
          },
          {
            database: dbname,
            user: "app+user",
            host: "localhost",
            port: 5432,
            ca: "sslrootcert content",
            cert: "sslcert content",
            key: "sslkey content",
          },
          url,
        );
      }
      const ipv6 = new pg.Client(nodePostgresUrl(login({ host: "::1", ...files })));
      assert.equal(ipv6.host, "::1");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("node-postgres: no URL for a database name its path cannot carry", () => {
    for (const dbname of ["a/b", "a?b", "a#b"]) assert.equal(nodePostgresUrl(login({ dbname })), undefined, dbname);
  });

  test("JDBC: every part is percent-encoded as pgjdbc's URLDecoder reads it; sslkey is the pk8 key", () => {
    const url = jdbcUrl(
      login({ dbname: "a b+c/d?e&f", user: "app+1", sslrootcert: "/x y/root.crt" }),
      "/x y/postgresql.pk8",
    );
    const parsed = parseJdbcUrl(url);
    assert.equal(parsed.host, "localhost:5432");
    assert.equal(parsed.database, "a b+c/d?e&f");
    assert.deepEqual(Object.fromEntries(parsed.params), {
      user: "app+1",
      sslmode: "verify-full",
      sslrootcert: "/x y/root.crt",
      sslcert: "/b/postgresql.crt",
      sslkey: "/x y/postgresql.pk8",
      sslfactory: "org.postgresql.ssl.LibPQFactory",
    });
    assert.match(jdbcUrl(login({ host: "fd00::1" }), "/k.pk8"), /^jdbc:postgresql:\/\/\[fd00::1\]:5432\//);
  });
});

describe("exportClientBundle", () => {
  let dir: string;
  let layout: PkiLayout;
  let rootPem: string;
  const now = new Date("2030-01-02T03:04:05.678Z");

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pgwarden-bundle-"));
    layout = pkiLayout(join(dir, "pki"));
    const { ca } = await initCa(layout, { days: 30 });
    await issueCertificate(layout, ca, { profile: PROFILES.client, commonName: "app" });
    rootPem = await readFile(layout.caCert, "utf8");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test("pk8 writes the libpq files and the DER key, and every client's string", async () => {
    const out = join(dir, "out");
    const result = await exportClientBundle(layout, rootPem, {
      commonName: "app",
      format: "pk8",
      outDir: out,
      host: "DB.example.com",
      port: 6432,
      dbname: "meta",
    });
    assert.deepEqual((await readdir(out)).sort(), ["postgresql.crt", "postgresql.key", "postgresql.pk8", "root.crt"]);
    const cert = new X509Certificate(await readFile(join(out, "postgresql.crt")));
    assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(join(out, "postgresql.key")))));
    assert.ok(
      cert.checkPrivateKey(
        createPrivateKey({ key: await readFile(join(out, "postgresql.pk8")), format: "der", type: "pkcs8" }),
      ),
    );
    assert.equal(result.dir, out);
    assert.match(
      result.libpq,
      /^host=db\.example\.com port=6432 dbname=meta user=app sslmode=verify-full /,
      "the host as the certificate would name it",
    );
    assert.equal(result.psql, psqlCommand(result.libpq));
    assert.equal(result.psycopg, psycopgConnect(result.libpq));
    assert.match(
      result.nodePostgres ?? "",
      /^postgresql:\/\/db\.example\.com:6432\/meta\?user=app&sslmode=verify-full&/,
    );
    assert.match(
      result.jdbc ?? "",
      /sslkey=[^&]*\/out\/postgresql\.pk8&sslfactory=org\.postgresql\.ssl\.LibPQFactory$/,
    );
  });

  test("pem: no pk8 file and no JDBC URL", async () => {
    const result = await exportClientBundle(layout, rootPem, {
      commonName: "app",
      format: "pem",
      outDir: join(dir, "out"),
    });
    assert.deepEqual(
      result.files.map((file) => file.path.slice(result.dir.length + 1)),
      ["postgresql.crt", "postgresql.key", "root.crt"],
    );
    assert.equal(result.jdbc, undefined);
  });

  test("a different file already there is kept as a backup; an identical key left readable is rewritten 0600", async () => {
    const out = join(dir, "out");
    await exportClientBundle(layout, rootPem, { commonName: "app", format: "pem", outDir: out });
    await writeFile(join(out, "root.crt"), "another root\n");
    await chmod(join(out, "postgresql.key"), 0o644);
    const again = await exportClientBundle(layout, rootPem, { commonName: "app", format: "pem", outDir: out, now });
    assert.deepEqual(
      again.files.filter((file) => file.backup).map((file) => file.backup),
      [join(out, "root.crt.2030-01-02T03-04-05-678Z.bak")],
    );
    assert.equal(await readFile(join(out, "root.crt.2030-01-02T03-04-05-678Z.bak"), "utf8"), "another root\n");
    assert.equal((await stat(join(out, "postgresql.key"))).mode & 0o777, 0o600);
  });

  test("a key others can read is refused (exit 7) before anything is written", async () => {
    await chmod(join(layout.root, "client", "app.key"), 0o640);
    const out = join(dir, "out");
    await assert.rejects(
      exportClientBundle(layout, rootPem, { commonName: "app", format: "pem", outDir: out }),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.exitCode === ExitCode.pki &&
        /mode 0640 .*chmod 600/.test(error.message),
    );
    await assert.rejects(stat(out), "no out dir");
  });

  test("a CRL past its nextUpdate (OpenSSL says expired) is refused, exit 7, before anything is written", async () => {
    const day = 24 * 60 * 60 * 1000;
    await writeCrls(layout, { now: new Date(Date.now() - 3 * day), days: 1 });
    const openssl = spawnSync(
      "openssl",
      [
        "verify",
        "-crl_check",
        "-CAfile",
        layout.caCert,
        "-CRLfile",
        combinedCrlPath(layout),
        join(layout.root, "client", "app.crt"),
      ],
      { encoding: "utf8" },
    );
    assert.notEqual(openssl.status, 0);
    assert.match(openssl.stdout + openssl.stderr, /CRL has expired/);
    const out = join(dir, "out");
    await assert.rejects(
      exportClientBundle(layout, rootPem, { commonName: "app", format: "pem", outDir: out }),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.exitCode === ExitCode.pki &&
        error.code === "crl-expired" &&
        /run pgwarden crl first/.test(error.message),
    );
    await assert.rejects(stat(out), "no out dir");
    const without = await exportClientBundle(layout, rootPem, {
      commonName: "app",
      format: "pem",
      outDir: out,
      crl: false,
    });
    assert.equal(without.crl, undefined);
    assert.doesNotMatch(without.libpq, /sslcrl/);
    assert.deepEqual((await readdir(out)).sort(), ["postgresql.crt", "postgresql.key", "root.crt"]);
  });

  test("a current CRL is shipped as root.crl with its nextUpdate; crl: false leaves it and sslcrl out", async () => {
    await writeCrls(layout, { days: 2 });
    const out = join(dir, "out");
    const result = await exportClientBundle(layout, rootPem, { commonName: "app", format: "pem", outDir: out });
    const openssl = spawnSync("openssl", ["crl", "-noout", "-nextupdate", "-in", combinedCrlPath(layout)], {
      encoding: "utf8",
    });
    const nextUpdate = new Date(openssl.stdout.trim().replace(/^nextUpdate=/, ""));
    assert.deepEqual(result.crl, { path: join(out, "root.crl"), nextUpdate }, "the nextUpdate OpenSSL reads");
    assert.match(result.libpq, / sslcrl=[^ ]*\/out\/root\.crl/);
    assert.equal(await readFile(join(out, "root.crl"), "utf8"), await readFile(combinedCrlPath(layout), "utf8"));
    const other = join(dir, "other");
    const without = await exportClientBundle(layout, rootPem, {
      commonName: "app",
      format: "pem",
      outDir: other,
      crl: false,
    });
    assert.equal(without.crl, undefined);
    assert.doesNotMatch(without.libpq + without.psycopg, /sslcrl/);
    assert.deepEqual((await readdir(other)).sort(), ["postgresql.crt", "postgresql.key", "root.crt"]);
  });

  test("a host that is no DNS name or address, or an empty database, is a usage error", async () => {
    for (const options of [{ host: "a b" }, { host: "/var/run/postgresql" }, { dbname: "" }]) {
      await assert.rejects(
        exportClientBundle(layout, rootPem, { commonName: "app", format: "pem", outDir: join(dir, "out"), ...options }),
        (error: unknown) => error instanceof PgwardenError && error.exitCode === ExitCode.usage,
        JSON.stringify(options),
      );
    }
    await assert.rejects(stat(join(dir, "out")), "nothing written");
  });

  test("libpqUserDir is ~/.postgresql", () => {
    assert.equal(libpqUserDir("/home/someone"), "/home/someone/.postgresql");
  });
});
