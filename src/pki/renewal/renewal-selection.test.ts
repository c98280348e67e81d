import assert from "node:assert/strict";
import { test } from "node:test";

import type { CertificateRecord } from "../records/certificate-records.js";
import type { RevocationRecord } from "../records/revocations.js";
import { liveRecords, renewalState, selectBulk, selectNamed } from "./renewal-selection.js";

function record(serial: string, cn: string, group: string, issuedAt: string, extra: Partial<CertificateRecord> = {}) {
  return {
    version: 1,
    serial,
    commonName: cn,
    profile: "client",
    group,
    origin: "issued",
    keyType: "ec-p256",
    subject: `CN=${cn}`,
    issuer: "CN=pgwarden-ca",
    subjectAltNames: [],
    notBefore: "2026-01-01T00:00:00.000Z",
    notAfter: "2026-12-01T00:00:00.000Z",
    fingerprintSha256: serial,
    certPath: `${group}/${cn}.crt`,
    keyPath: `${group}/${cn}.key`,
    issuedAt,
    ...extra,
  } satisfies CertificateRecord;
}

const records = [
  record("0a", "alice", "client", "2026-01-01T00:00:00.000Z"),
  record("0b", "alice", "client", "2026-02-01T00:00:00.000Z", { renews: "0a" }),
  record("0c", "alice", "other", "2026-01-01T00:00:00.000Z", { notAfter: "2026-03-01T00:00:00.000Z" }),
  record("0d", "bob", "client", "2026-01-01T00:00:00.000Z"),
  record("0e", "bob", "client", "2026-03-01T00:00:00.000Z"),
];
const revoked: RevocationRecord = {
  version: 1,
  serial: "0e",
  issuerName: "ca",
  revokedAt: "2026-03-02T00:00:00.000Z",
  reason: "keyCompromise",
};
const state = renewalState(records, [revoked]);

test("live certificates: the newest of each renewal chain and of each path", () => {
  assert.deepEqual(
    liveRecords(state).map((r) => r.serial),
    ["0b", "0c", "0e"],
  );
});

test("a CN with several live certificates needs --group or --serial (exit 2, each named); unknown is exit 4", () => {
  assert.throws(
    () => selectNamed(state, { commonName: "alice" }),
    (error: Error & { exitCode?: number }) => {
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /2 live certificates: 0b \(client\/alice.crt.*0c \(other\/alice.crt/);
      return true;
    },
  );
  assert.equal(selectNamed(state, { commonName: "alice", group: "other" }).serial, "0c");
  assert.equal(selectNamed(state, { serial: "0B" }).serial, "0b");
  assert.throws(() => selectNamed(state, { commonName: "carol" }), { exitCode: 4, code: "certificate-unknown" });
  assert.throws(() => selectNamed(state, { serial: "zz" }), { exitCode: 2, code: "bad-serial" });
});

test("a certificate already renewed, or replaced at its path, is refused by serial, naming the newer one", () => {
  assert.throws(() => selectNamed(state, { serial: "0a" }), { exitCode: 2, message: /already renewed by 0b/ });
  assert.throws(() => selectNamed(state, { serial: "0d" }), {
    exitCode: 2,
    message: /replaced at client\/bob.crt by 0e/,
  });
});

test("bulk selections leave revoked certificates out and say so; --expiring counts from now", () => {
  const now = new Date("2026-02-15T00:00:00.000Z");
  const all = selectBulk(state, {}, now);
  assert.deepEqual(
    all.selected.map((r) => r.serial),
    ["0b", "0c"],
  );
  assert.deepEqual(
    all.revoked.map((r) => r.serial),
    ["0e"],
  );
  assert.deepEqual(
    selectBulk(state, { expiringWithinMs: 30 * 86_400_000 }, now).selected.map((r) => r.serial),
    ["0c"],
  );
  assert.deepEqual(
    selectBulk(state, { group: "client" }, now).selected.map((r) => r.serial),
    ["0b"],
  );
});
