import assert from "node:assert/strict";
import { test } from "node:test";

import type { ServedCheck } from "../tls-deploy.js";
import {
  type ServedFacts,
  type ServedVerdict,
  servedVerdict,
  unverifiedFailure,
  unverifiedHint,
} from "./served-verdict.js";

test("what pg tls --pgdata concludes from the served certificate, for every combination of running, matching, --reload and a changed plan", () => {
  const table: { facts: ServedFacts; want: ServedVerdict }[] = [
    // Not running: nothing to verify or require; the settings take effect when it starts.
    {
      facts: { running: false, reloadAsked: false, planChanged: true },
      want: { state: "not-running", mustVerify: false, notServedFails: false },
    },
    {
      facts: { running: false, reloadAsked: true, planChanged: true },
      want: { state: "not-running", mustVerify: true, notServedFails: false },
    },
    {
      facts: { running: false, reloadAsked: false, planChanged: false },
      want: { state: "not-running", mustVerify: true, notServedFails: false },
    },
    // Serving the installed certificate: it must verify, whatever else.
    {
      facts: { running: true, matches: true, reloadAsked: false, planChanged: true },
      want: { state: "serves", mustVerify: true, notServedFails: false },
    },
    {
      facts: { running: true, matches: true, reloadAsked: true, planChanged: false },
      want: { state: "serves", mustVerify: true, notServedFails: false },
    },
    // Changed, no --reload: the old setup is still served, which is expected and says nothing of the new one.
    {
      facts: { running: true, matches: false, reloadAsked: false, planChanged: true },
      want: { state: "awaiting-reload", mustVerify: false, notServedFails: false },
    },
    // Reloaded and still not served: the reload did not take.
    {
      facts: { running: true, matches: false, reloadAsked: true, planChanged: true },
      want: { state: "not-served", mustVerify: true, notServedFails: true },
    },
    {
      facts: { running: true, matches: false, reloadAsked: true, planChanged: false },
      want: { state: "not-served", mustVerify: true, notServedFails: true },
    },
    // Nothing changed and yet the server serves something else: an earlier reload failed.
    {
      facts: { running: true, matches: false, reloadAsked: false, planChanged: false },
      want: { state: "not-served", mustVerify: true, notServedFails: true },
    },
  ];
  for (const row of table) assert.deepEqual(servedVerdict(row.facts), row.want, JSON.stringify(row.facts));
});

test("an unverified served certificate points first at ALTER SYSTEM overrides, then at cert verify, then at other ssl settings", () => {
  const base = { certPath: "/pki/server/db1.crt", servername: "db1" };
  assert.match(
    unverifiedHint({ ...base, overridden: ["ssl_cert_file"], matches: true }),
    /ALTER SYSTEM\) overrides ssl_cert_file/,
  );
  assert.equal(
    unverifiedHint({ ...base, overridden: [], matches: true }),
    "pgwarden cert verify /pki/server/db1.crt --purpose server --host db1 says why",
  );
  assert.match(unverifiedHint({ ...base, overridden: [], matches: false }), /pg_settings WHERE name LIKE 'ssl%'/);
});

test("only a TLS handshake that said verified: no is a failure (exit 7); verified, plain or no server is none", () => {
  const probe = { tls: true, verified: false, verifyError: "certificate has expired", subject: "CN=db1" };
  const unverified = { running: true, matches: true, probe } as unknown as ServedCheck;
  const failure = unverifiedFailure(unverified, "db1", () => "the hint");
  assert.equal(failure?.exitCode, 7);
  assert.match(failure?.message ?? "", /does not verify against the CA for db1: certificate has expired.*the hint/);
  const verified = { running: true, matches: true, probe: { ...probe, verified: true } } as unknown as ServedCheck;
  assert.equal(
    unverifiedFailure(verified, "db1", () => "x"),
    undefined,
  );
  const plain = { running: true, matches: false, probe: { ...probe, tls: false } } as unknown as ServedCheck;
  assert.equal(
    unverifiedFailure(plain, "db1", () => "x"),
    undefined,
  );
  assert.equal(
    unverifiedFailure({ running: false }, "db1", () => "x"),
    undefined,
  );
});
