/*
 * The root CA of a running PostgreSQL 15 sandbox is rotated while real clients (psql and
 * node-postgres, sslmode=verify-full with a client certificate from `cert export`) connect in a
 * loop: ca rotate -> deploy the trust (cert export, sandbox up, which reloads) -> cert renew --all
 * -> deploy -> ca retire OLD -> deploy. No attempt may fail at any step; at the end the server
 * serves a certificate of the new root (openssl s_client -starttls postgres) and a client
 * certificate of the old root, kept from the start, is refused.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";
import { ClientLoops } from "./support/client-loops.js";
import { nodePostgres, psql } from "./support/clients.js";
import { startSandbox, type TestSandbox } from "./support/sandbox.js";

const ROLE = "app";
const ATTEMPTS_PER_STEP = 3;

/** The certificate a real handshake is served, as OpenSSL prints it. */
function servedCertificate(port: number): X509Certificate {
  const handshake = spawnSync(
    "openssl",
    ["s_client", "-starttls", "postgres", "-connect", `127.0.0.1:${port}`, "-servername", "localhost"],
    { input: "", encoding: "utf8", timeout: 20_000 },
  );
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(handshake.stdout)?.[0];
  assert.ok(pem, `s_client printed the server's certificate: ${handshake.stderr}`);
  return new X509Certificate(pem);
}

function certificateCount(pem: string): number {
  return (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
}

/** `openssl verify` of `certPath` against `caFile` alone: what OpenSSL decides, not what pgwarden says. */
function opensslVerifies(caFile: string, certPath: string): boolean {
  return spawnSync("openssl", ["verify", "-CAfile", caFile, certPath], { encoding: "utf8" }).status === 0;
}

describe("ca rotate of a running sandbox with clients connected throughout", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let pki: string;
  let sandbox: TestSandbox;

  before(async () => {
    work = await tempDir();
    pki = join(work.dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase"])).code, 0);
    sandbox = await startSandbox(pki);
    await sandbox.sql(`CREATE ROLE ${ROLE} LOGIN`);
    const issued = await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", ROLE]);
    assert.equal(issued.code, 0, issued.stderr);
  });
  after(async () => {
    await sandbox?.stop();
    await work?.cleanup();
  });

  test("no psql or node-postgres attempt fails from ca rotate to ca retire; the old root's client certificate is refused after", async (t) => {
    const clientDir = join(work.dir, "client");
    const oldDir = join(work.dir, "old-client");
    await mkdir(oldDir, { mode: 0o700 });
    const exportBundle = async () => {
      const result = await pgwarden([
        "cert",
        "export",
        "--pki",
        pki,
        "--cn",
        ROLE,
        "--out",
        clientDir,
        "--port",
        String(sandbox.port),
        "--format",
        "json",
      ]);
      assert.equal(result.code, 0, `cert export: ${result.stderr}`);
      return JSON.parse(result.stdout) as { libpq: string; nodePostgres: string };
    };
    const deploy = async () => {
      // Clients first: the server may serve a certificate of the new root after it reloads.
      await exportBundle();
      await sandbox.restore();
    };
    const { libpq, nodePostgres: url } = await exportBundle();
    for (const name of ["postgresql.crt", "postgresql.key", "root.crt"]) {
      await copyFile(join(clientDir, name), join(oldDir, name));
    }
    const oldRoot = await readFile(join(pki, "ca", "ca.crt"), "utf8");
    const oldRootFile = join(work.dir, "old-root.crt");
    await writeFile(oldRootFile, oldRoot);

    const loops = new ClientLoops(
      { psql: () => psql(libpq), "node-postgres": () => nodePostgres(url) },
      ATTEMPTS_PER_STEP,
    );
    let oldKeyId = "";
    try {
      await loops.run("start", () => Promise.resolve());
      await loops.run("ca rotate", async () => {
        const rotated = await pgwarden(["ca", "rotate", "--pki", pki, "--format", "json"]);
        assert.equal(rotated.code, 0, `ca rotate: ${rotated.stderr}`);
        oldKeyId = (JSON.parse(rotated.stdout) as { previous: { keyId: string } }).previous.keyId;
      });
      await loops.run("deploy the trust of both roots", deploy);
      // Mid-rotation, every trust file holds both roots; the server still serves its certificate of the old one.
      assert.equal(certificateCount(await readFile(join(sandbox.pgdata, "root.crt"), "utf8")), 2, "ssl_ca_file");
      assert.equal(certificateCount(await readFile(join(clientDir, "root.crt"), "utf8")), 2, "the client's root.crt");
      assert.equal(certificateCount(await readFile(join(pki, "ca", "roots.crt"), "utf8")), 2, "ca/roots.crt");
      assert.ok(
        servedCertificate(sandbox.port).checkIssued(new X509Certificate(oldRoot)),
        "not re-issued before renew",
      );

      await loops.run("cert renew --all", async () => {
        const renewed = await pgwarden(["cert", "renew", "--pki", pki, "--all"]);
        assert.equal(renewed.code, 0, `cert renew --all: ${renewed.stderr}`);
      });
      await loops.run("deploy the renewed certificates", deploy);
      await loops.run("ca retire", async () => {
        const retired = await pgwarden(["ca", "retire", "--pki", pki, oldKeyId]);
        assert.equal(retired.code, 0, `ca retire: ${retired.stderr}${retired.stdout}`);
      });
      await loops.run("deploy the new root alone", deploy);
    } finally {
      await loops.stop();
    }

    const failed = loops.attempts.filter((attempt) => !attempt.outcome.ok);
    assert.deepEqual(
      failed.map((attempt) => `${attempt.step} / ${attempt.client}: ${attempt.outcome.stderr}`),
      [],
      "no connection attempt failed",
    );
    const steps = [...new Set(loops.attempts.map((attempt) => attempt.step))];
    assert.equal(steps.length, 7);
    for (const step of steps)
      for (const client of ["psql", "node-postgres"]) {
        const count = loops.attempts.filter((item) => item.step === step && item.client === client).length;
        assert.ok(count >= ATTEMPTS_PER_STEP, `${client} connected ${count} times at step ${step}`);
      }
    assert.ok(loops.attempts.every((attempt) => attempt.outcome.stdout === ROLE));
    t.diagnostic(
      steps
        .map((step) => `${step}: ${loops.attempts.filter((item) => item.step === step).length} connections`)
        .join("; "),
    );

    // The server serves a certificate of the new root, which OpenSSL checks against each root alone.
    const newRoot = join(pki, "ca", "ca.crt");
    const served = join(work.dir, "served.crt");
    await writeFile(served, servedCertificate(sandbox.port).toString());
    assert.ok(opensslVerifies(newRoot, served), "the served certificate chains to the new root");
    assert.ok(!opensslVerifies(oldRootFile, served), "and not to the old one");
    // Every trust file is back to one root: the new one.
    for (const path of [join(sandbox.pgdata, "root.crt"), join(clientDir, "root.crt"), join(pki, "ca", "roots.crt")])
      assert.equal(await readFile(path, "utf8"), await readFile(newRoot, "utf8"), path);
    assert.ok(
      opensslVerifies(newRoot, join(clientDir, "postgresql.crt")),
      "the exported client certificate is renewed",
    );

    // The old root's client certificate, kept from the start, is refused; the renewed one gets in.
    const withOld = libpq
      .replace(join(clientDir, "postgresql.crt"), join(oldDir, "postgresql.crt"))
      .replace(join(clientDir, "postgresql.key"), join(oldDir, "postgresql.key"));
    assert.notEqual(withOld, libpq);
    assert.ok(opensslVerifies(oldRootFile, join(oldDir, "postgresql.crt")));
    const refused = await psql(withOld);
    assert.equal(refused.ok, false, "the old client certificate is refused");
    assert.match(await sandbox.log(), /certificate verify failed|unknown ca|unable to get local issuer/i);
    const oldUrl = url
      .replace(
        encodeURIComponent(join(clientDir, "postgresql.crt")),
        encodeURIComponent(join(oldDir, "postgresql.crt")),
      )
      .replace(join(clientDir, "postgresql.crt"), join(oldDir, "postgresql.crt"));
    assert.notEqual(oldUrl, url);
    assert.equal((await nodePostgres(oldUrl)).ok, false, "node-postgres with the old certificate is refused");
    assert.equal((await psql(libpq)).stdout, ROLE);
  });
});
