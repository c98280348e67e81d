import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pgwarden } from "./support/cli.js";
import { runClient } from "./support/pg-cluster.js";

// Straight under the temp dir: the sandbox inside runs as the postgres account, which must enter it.
const dir = join(tmpdir(), `pgwarden-quickstart-test-${randomBytes(4).toString("hex")}`);

after(async () => {
  await pgwarden(["sandbox", "down", "--dir", join(dir, "sandbox"), "--purge"]);
  await rm(dir, { recursive: true, force: true });
});

/** The psql line quickstart printed, split into its conninfo (no shell involved). */
function pastedConninfo(stdout: string): string {
  const line = /^ {2}psql "([^"]+)"$/m.exec(stdout)?.[1];
  assert.ok(line, `no psql line in:\n${stdout}`);
  return line;
}

test("quickstart: CA, sandbox, role and client certificate; what it prints is what the server says", async () => {
  const first = await pgwarden(["quickstart", "--dir", dir]);
  assert.equal(first.code, 0, first.stderr);
  for (const made of [/CA \(created\)/, /sandbox \(created\)/, /role dbuser_dba \(created\)/, /client certificate \(issued\)/]) assert.match(first.stdout, made);
  const printed = {
    user: /current_user:\s+(\S+)/.exec(first.stdout)?.[1],
    tls: /TLS \(pg_stat_ssl\):\s+(\S+), (\S+)/.exec(first.stdout),
  };
  assert.equal(printed.user, "dbuser_dba");

  // The pasted psql line works as printed, and the server confirms the printed TLS facts.
  const conninfo = pastedConninfo(first.stdout);
  assert.match(conninfo, /sslmode=verify-full/);
  const viaPsql = await runClient("psql", ["-X", "-A", "-t", "-F", " ", "-c", "SELECT current_user, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()", conninfo]);
  assert.equal(viaPsql.code, 0, viaPsql.stderr);
  assert.equal(viaPsql.stdout.trim(), `dbuser_dba ${printed.tls?.[1]} ${printed.tls?.[2]}`);

  const json = await pgwarden(["quickstart", "--dir", dir, "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const again = JSON.parse(json.stdout) as { ca: { action: string }; sandbox: { action: string }; role: { action: string }; client: { action: string; info: { notAfter: string } }; session: { currentUser: string; ssl: boolean } };
  assert.deepEqual([again.ca.action, again.sandbox.action, again.role.action, again.client.action], ["adopted", "running", "exists", "kept"]);
  assert.equal(again.session.currentUser, "dbuser_dba");
  assert.equal(again.session.ssl, true);
  assert.ok(new Date(again.client.info.notAfter).getTime() > Date.now());
});
