/*
 * pg sessions against a real PostgreSQL 15 sandbox (TLS, client certificates): sessions opened
 * with certificates, one of which is then revoked in the records, are listed by --revoked only
 * when serial and issuer both match; --terminate ends that one and leaves the others running.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import type pg from "pg";

import { connectWithCertificate } from "../src/pg/cert-connection.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { addRevocation } from "../src/pki/records/revocations.js";
import { issueWithCli, pgwarden, tempDir } from "./support/cli.js";
import { startSandbox, type TestSandbox } from "./support/sandbox.js";

interface SessionJson {
  pid: number;
  user: string;
  clientSerial: string | null;
  issuerDn: string | null;
  own: boolean;
  revoked: { reason: string } | null;
  terminated?: boolean;
}

/** The serial as OpenSSL reads it from the file, lower-case. */
function opensslSerial(certPath: string): string {
  return execFileSync("openssl", ["x509", "-in", certPath, "-noout", "-serial"], { encoding: "utf8" })
    .trim()
    .replace(/^serial=/, "")
    .toLowerCase();
}

describe("pg sessions on a real server with client certificates", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let pki: string;
  let sandbox: TestSandbox;
  let admin: string;
  const clients = new Map<string, pg.Client>();
  const pids = new Map<string, number>();
  const certs = new Map<string, { certPath: string; keyPath: string }>();

  before(async () => {
    work = await tempDir();
    pki = join(work.dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase"])).code, 0);
    sandbox = await startSandbox(pki);
    const superuser = await sandbox.sql("SELECT current_user");
    admin = `host=localhost port=${sandbox.port} dbname=postgres user=${superuser} sslmode=verify-full sslrootcert=${pki}/ca/ca.crt sslcert=${pki}/sandbox/${superuser}.crt sslkey=${pki}/sandbox/${superuser}.key`;
    for (const user of ["alice", "bob", "carol"]) {
      await sandbox.sql(`CREATE ROLE ${user} LOGIN`);
      const issued = await issueWithCli(pki, "client", user);
      certs.set(user, issued);
      const client = await connectWithCertificate({
        host: "localhost",
        port: sandbox.port,
        user,
        caCertPath: join(pki, "ca", "ca.crt"),
        ...issued,
      });
      client.on("error", () => undefined);
      clients.set(user, client);
      pids.set(user, (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid as number);
    }
  });
  after(async () => {
    for (const client of clients.values()) await client.end().catch(() => undefined);
    await sandbox?.stop();
    await work?.cleanup();
  });

  const sessions = async (...flags: string[]) => {
    const result = await pgwarden(["pg", "sessions", "--pki", pki, "--conn", admin, "--format", "json", ...flags]);
    return {
      code: result.code,
      stderr: result.stderr,
      sessions: (JSON.parse(result.stdout || '{"sessions":[]}') as { sessions: SessionJson[] }).sessions,
    };
  };

  test("every TLS session is listed with its client serial in hex, equal to OpenSSL's reading of the certificate", async () => {
    const listed = await sessions();
    assert.equal(listed.code, 0, listed.stderr);
    for (const user of ["alice", "bob", "carol"]) {
      const session = listed.sessions.find((s) => s.pid === pids.get(user));
      assert.ok(session, `${user}'s session is listed`);
      assert.equal(session.clientSerial, opensslSerial(certs.get(user)?.certPath as string));
      assert.equal(session.issuerDn, "/CN=pgwarden-ca", "PostgreSQL 15 writes X509_NAME_oneline");
      assert.equal(session.revoked, null);
    }
    assert.equal(listed.sessions.filter((s) => s.own).length, 1, "pgwarden's own connection is marked");
    const none = await sessions("--revoked");
    assert.equal(none.code, 0, "no revoked session open: the check answers yes");
    assert.deepEqual(none.sessions, []);
  });

  test("after alice's certificate is revoked, --revoked lists her session only (exit 1); a revocation under another issuer name matches nothing", async () => {
    const layout = pkiLayout(pki);
    const revokedAt = new Date().toISOString();
    await addRevocation(layout, {
      version: 1,
      serial: opensslSerial(certs.get("alice")?.certPath as string),
      issuerName: "ca",
      revokedAt,
      reason: "keyCompromise",
    });
    // The same serial space, another issuer: bob's serial revoked by an issuer named "client", which is not the one that signed it.
    await addRevocation(layout, {
      version: 1,
      serial: opensslSerial(certs.get("bob")?.certPath as string),
      issuerName: "client",
      revokedAt,
      reason: "keyCompromise",
    });
    const listed = await sessions("--revoked");
    assert.equal(listed.code, 1, "revoked sessions are open: the check answers no");
    assert.deepEqual(
      listed.sessions.map((s) => [s.pid, s.user, s.revoked?.reason]),
      [[pids.get("alice"), "alice", "keyCompromise"]],
    );
    const text = await pgwarden(["pg", "sessions", "--pki", pki, "--conn", admin, "--revoked"]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /alice.*keyCompromise/);
    assert.match(text.stderr, /1 open session\(s\) on revoked certificates/);
  });

  test("--terminate ends alice's session and leaves bob's and carol's running; afterwards --revoked answers yes", async () => {
    const ended = await sessions("--terminate");
    assert.equal(ended.code, 0, ended.stderr);
    assert.deepEqual(
      ended.sessions.map((s) => [s.user, s.terminated]),
      [["alice", true]],
    );
    await assert.rejects(() => (clients.get("alice") as pg.Client).query("SELECT 1"), "alice's session is gone");
    for (const user of ["bob", "carol"]) {
      const row = (await (clients.get(user) as pg.Client).query<{ who: string }>("SELECT current_user AS who")).rows[0];
      assert.equal(row?.who, user, `${user}'s session still runs queries`);
    }
    const after = await sessions("--revoked");
    assert.equal(after.code, 0);
    assert.deepEqual(after.sessions, []);
  });
});
