/*
 * Renewal rolled out without a restart, on a real PostgreSQL 15 sandbox: the server's certificate
 * is renewed (cert renew), the sandbox puts the renewed files into PGDATA and reloads; a session
 * opened before keeps running queries, the postmaster was not restarted, and a new handshake
 * (openssl s_client -starttls postgres) is served the new serial.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import type pg from "pg";

import { connectWithCertificate } from "../src/pg/cert-connection.js";
import { normalizeSerial } from "../src/pki/encoding/serial.js";
import { pgwarden, tempDir } from "./support/cli.js";
import { startSandbox, type TestSandbox } from "./support/sandbox.js";

/** The serial of the certificate a real handshake is served, as OpenSSL reads it. */
function servedSerial(port: number): string {
  const handshake = spawnSync(
    "openssl",
    ["s_client", "-starttls", "postgres", "-connect", `127.0.0.1:${port}`, "-servername", "localhost"],
    { input: "", encoding: "utf8", timeout: 20_000 },
  );
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(handshake.stdout)?.[0];
  assert.ok(pem, `s_client printed the server's certificate: ${handshake.stderr}`);
  return normalizeSerial(new X509Certificate(pem).serialNumber);
}

describe("cert renew of a server certificate, rolled out with a reload", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let pki: string;
  let sandbox: TestSandbox;
  let session: pg.Client;

  before(async () => {
    work = await tempDir();
    pki = join(work.dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase"])).code, 0);
    sandbox = await startSandbox(pki);
    const superuser = await sandbox.sql("SELECT current_user");
    session = await connectWithCertificate({
      host: "localhost",
      port: sandbox.port,
      user: superuser,
      caCertPath: join(pki, "ca", "ca.crt"),
      certPath: join(pki, "sandbox", `${superuser}.crt`),
      keyPath: join(pki, "sandbox", `${superuser}.key`),
    });
  });
  after(async () => {
    await session?.end().catch(() => undefined);
    await sandbox?.stop();
    await work?.cleanup();
  });

  test("the open session keeps working, the postmaster keeps running, new handshakes get the new serial", async () => {
    const startedBefore = (await session.query<{ t: string }>("SELECT pg_postmaster_start_time()::text AS t")).rows[0]
      ?.t;
    const oldSerial = servedSerial(sandbox.port);
    assert.equal(
      oldSerial,
      normalizeSerial(new X509Certificate(await readFile(join(pki, "sandbox", "localhost.crt"))).serialNumber),
    );
    const renewed = await pgwarden([
      "--format",
      "json",
      "cert",
      "renew",
      "--pki",
      pki,
      "--cn",
      "localhost",
      "--group",
      "sandbox",
    ]);
    assert.equal(renewed.code, 0, renewed.stderr);
    const [renewal] = (JSON.parse(renewed.stdout) as { renewed: { renews: string; serial: string }[] }).renewed;
    assert.equal(renewal?.renews, oldSerial);
    assert.equal(servedSerial(sandbox.port), oldSerial, "nothing served changes before the rollout");
    // sandbox up again: it keeps the (renewed, valid) certificate of the PKI, puts it into PGDATA and reloads.
    await sandbox.restore();
    assert.equal(servedSerial(sandbox.port), renewal?.serial, "a new handshake is served the renewed certificate");
    const after = (
      await session.query<{ t: string; one: number }>("SELECT pg_postmaster_start_time()::text AS t, 1 AS one")
    ).rows[0];
    assert.equal(after?.one, 1, "the session opened before the renewal still runs queries");
    assert.equal(after?.t, startedBefore, "no restart");
  });
});
