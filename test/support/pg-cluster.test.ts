/*
 * Self-test of the throwaway-PostgreSQL harness: TLS + scram over TCP,
 * hba enforcement, hba reload, teardown, and parallel clusters.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { type Cluster, makeTempDir, runClient, startCluster, type TlsFiles } from "./pg-cluster.js";

const TEST_ROLE = "harness_tester";
const TEST_PASSWORD = "harness-test-password-1"; // throwaway literal, only for this self-test

async function openssl(args: string[], cwd: string): Promise<void> {
  const r = await runClient("openssl", args, { cwd });
  assert.equal(r.code, 0, `openssl ${args.join(" ")} failed:\n${r.stderr}`);
}

/** Throwaway CA + server cert (SAN IP:127.0.0.1) made with the openssl CLI. */
async function makeTls(dir: string): Promise<{ files: TlsFiles; caFile: string }> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(
    [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "1",
      "-subj",
      "/CN=pgwarden harness test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
  await openssl(["req", "-new", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], dir);
  await writeFile(
    join(dir, "server.ext"),
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n",
  );
  await openssl(
    [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-set_serial",
      "0x" + Date.now().toString(16),
      "-days",
      "1",
      "-extfile",
      "server.ext",
      "-out",
      "server.crt",
    ],
    dir,
  );
  const [certPem, keyPem, caPem] = await Promise.all(
    ["server.crt", "server.key", "ca.crt"].map((f) => readFile(join(dir, f), "utf8")),
  );
  return { files: { certPem: certPem!, keyPem: keyPem!, caPem: caPem! }, caFile: join(dir, "ca.crt") };
}

function psqlTcp(cluster: Cluster, extra: string, sql: string) {
  const conninfo = `host=${cluster.host} port=${cluster.port} dbname=postgres user=${TEST_ROLE} connect_timeout=10 ${extra}`;
  return runClient("psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql], {
    env: { PGPASSWORD: TEST_PASSWORD },
  });
}

test("TLS cluster: verify-full + scram works, non-SSL refused until hba reload, stop removes dir", async () => {
  const pkiDir = await makeTempDir("pgwarden-harness-pki-");
  let cluster: Cluster | undefined;
  try {
    const { files, caFile } = await makeTls(pkiDir);
    cluster = await startCluster({ tls: files, hba: ["hostssl all all 127.0.0.1/32 scram-sha-256"] });

    assert.equal(cluster.host, "127.0.0.1");
    assert.ok(cluster.port > 0 && cluster.port < 65536);
    assert.equal(await cluster.sql("SHOW ssl"), "on");
    assert.equal(await cluster.sql("SELECT current_user"), cluster.superuser);
    await cluster.sql(`CREATE ROLE ${TEST_ROLE} LOGIN PASSWORD '${TEST_PASSWORD}'`);

    const ssl = await psqlTcp(
      cluster,
      `sslmode=verify-full sslrootcert=${caFile}`,
      "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    );
    assert.equal(ssl.code, 0, ssl.stderr);
    assert.equal(ssl.stdout.trim(), "t");

    const plain = await psqlTcp(cluster, "sslmode=disable", "SELECT 1");
    assert.notEqual(plain.code, 0, "non-SSL connection must be refused");
    assert.match(plain.stderr, /no pg_hba\.conf entry/);

    const badPw = await runClient(
      "psql",
      [
        "-X",
        "-d",
        `host=127.0.0.1 port=${cluster.port} dbname=postgres user=${TEST_ROLE} sslmode=verify-full sslrootcert=${caFile}`,
        "-c",
        "SELECT 1",
      ],
      {
        env: { PGPASSWORD: "wrong" },
      },
    );
    assert.notEqual(badPw.code, 0);
    assert.match(badPw.stderr, /password authentication failed/);

    // hba replacement + reload takes effect for the next connection.
    await cluster.writeHba(["host all all 127.0.0.1/32 scram-sha-256"]);
    await cluster.reload();
    const plainAfter = await psqlTcp(
      cluster,
      "sslmode=disable",
      "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    );
    assert.equal(plainAfter.code, 0, plainAfter.stderr);
    assert.equal(plainAfter.stdout.trim(), "f");

    // A broken hba is reported by reload() instead of being silently ignored.
    await cluster.writeHba(["bogus all all 127.0.0.1/32 trust"]);
    await assert.rejects(cluster.reload(), /pg_hba\.conf was not reloaded/);
    await cluster.writeHba(["hostssl all all 127.0.0.1/32 scram-sha-256"]);
    await cluster.reload();

    assert.match(
      await cluster.log(),
      /connection authorized: user=harness_tester database=postgres .*SSL enabled \(protocol=TLS/,
    );

    const { baseDir, dataDir } = cluster;
    assert.ok(existsSync(dataDir));
    await cluster.stop();
    assert.equal(existsSync(dataDir), false, "data dir removed");
    assert.equal(existsSync(baseDir), false, "base dir removed");
    await cluster.stop(); // idempotent
  } finally {
    await cluster?.stop();
    await rm(pkiDir, { recursive: true, force: true });
  }
});

test("clusters run in parallel with distinct ports and dirs; settings applied", async () => {
  const clusters = await Promise.all([
    startCluster({ settings: { work_mem: "7MB" } }),
    startCluster({ settings: { work_mem: "9MB" } }),
  ]);
  try {
    const [a, b] = clusters;
    assert.notEqual(a.port, b.port);
    assert.notEqual(a.dataDir, b.dataDir);
    assert.notEqual(a.socketDir, b.socketDir);
    assert.equal(await a.sql("SHOW work_mem"), "7MB");
    assert.equal(await b.sql("SHOW work_mem"), "9MB");
    assert.equal(await a.sql("SHOW port"), String(a.port));
    assert.equal(await a.sql("SELECT 1; SELECT 2"), "1\n2");
    await assert.rejects(a.sql("SELECT * FROM no_such_table"), /relation "no_such_table" does not exist/);
  } finally {
    await Promise.all(clusters.map((c) => c.stop()));
  }
  for (const c of clusters) assert.equal(existsSync(c.baseDir), false);
});
