/*
 * The CRL commands through the real CLI on a PKI with an intermediate (made with openssl):
 * ca show lists every CA with its CRL and the soonest expiry; crl status, ca show and cert list
 * warn and exit 1 once a CRL is past its nextUpdate; bad input writes nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { pkiLayout } from "../src/pki/pki-layout.js";
import { writeCrls } from "../src/pki/revocation/crl-writer.js";
import { pgwarden, snapshot, tempDir } from "./support/cli.js";
import { opensslIntermediate } from "./support/openssl-intermediate.js";

let work: { dir: string; cleanup: () => Promise<void> };
let pki: string;

before(async () => {
  work = await tempDir("pgwarden-crl-cli-");
  pki = join(work.dir, "pki");
  assert.equal((await pgwarden(["--pki", pki, "ca", "init"])).code, 0);
  opensslIntermediate(pkiLayout(pki), "client");
  assert.equal((await pgwarden(["--pki", pki, "cert", "issue", "--profile", "client", "--cn", "alice"])).code, 0);
});

after(() => work?.cleanup());

test("ca show: the root and the intermediate, key states, each CRL's number and nextUpdate, the soonest expiry", async () => {
  assert.equal((await pgwarden(["--pki", pki, "crl"])).code, 0);
  const shown = await pgwarden(["--pki", pki, "ca", "show"]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^ca \(root CA\)$/m);
  assert.match(shown.stdout, /^client \(intermediate CA\)\n[\s\S]*subject:\s+CN=pgwarden client CA/m);
  assert.match(shown.stdout, /key file:\s+.*client-ca\.key \(present, not encrypted\)/);
  assert.match(shown.stdout, /crl:\s+number 1, next update \S+, 0 revoked \(current, crl\/client\.crl\)/);
  // The intermediate (1000 days) expires before the root (10 years).
  assert.match(shown.stdout, /soonest expiry:\s+\S+ \(client, (999|1000) days left\)/);
});

test("a CRL past its nextUpdate: crl status, ca show and cert list warn and exit 1; pgwarden crl ends it", async () => {
  await writeCrls(pkiLayout(pki), { now: new Date(Date.now() - 10 * 86_400_000), days: 1 });
  for (const args of [
    ["crl", "status"],
    ["ca", "show"],
    ["cert", "list"],
  ]) {
    const result = await pgwarden(["--pki", pki, ...args]);
    assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, /pgwarden: warning: the CRL of issuer ca \(crl\/ca\.crl\) expired at/);
    assert.match(result.stderr, /pgwarden: warning: the CRL of issuer client \(crl\/client\.crl\) expired at/);
    assert.ok(result.stdout.length > 0, `${args.join(" ")} still prints its data`);
  }
  assert.equal((await pgwarden(["--pki", pki, "crl"])).code, 0);
  assert.equal((await pgwarden(["--pki", pki, "crl", "status"])).code, 0);
  assert.equal((await pgwarden(["--pki", pki, "cert", "list"])).code, 0);
});

test("bad input: one line, its exit code, nothing written", async () => {
  const before = await snapshot(pki);
  const cases: [string[], number, RegExp][] = [
    [["cert", "revoke", "--cn", "alice", "--reason", "stolen"], 2, /--reason "stolen" is not a revocation reason/],
    [["cert", "revoke", "abcdef"], 4, /no certificate with serial abcdef/],
    [["cert", "revoke", "not-hex"], 2, /is not a serial/],
    [["cert", "revoke"], 2, /give the certificate to revoke/],
    [["crl", "--days", "0"], 2, /--days/],
    [["crl", "--days", "400"], 2, /--days/],
    [["cert", "list", "--status", "gone"], 2, /--status "gone" is not a status/],
  ];
  for (const [args, code, message] of cases) {
    const result = await pgwarden(["--pki", pki, ...args]);
    assert.equal(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split("\n").length, 1, `${args.join(" ")}: one line: ${result.stderr}`);
  }
  assert.deepEqual(await snapshot(pki), before);
});

test("cert revoke --cn, then cert list --status revoked shows it; crl status counts it", async () => {
  const revoked = await pgwarden(["--pki", pki, "cert", "revoke", "--cn", "alice", "--reason", "cessationOfOperation"]);
  assert.equal(revoked.code, 0, revoked.stderr);
  // alice is a client-profile leaf, so the client intermediate signed it: its CRL is the one written.
  assert.match(revoked.stdout, /^client\s+\d+\s+1\s/m);
  const list = await pgwarden(["--pki", pki, "cert", "list", "--status", "revoked"]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /alice .* revoked/);
  const valid = await pgwarden(["--pki", pki, "cert", "list", "--status", "valid"]);
  assert.doesNotMatch(valid.stdout, /alice/);
});
