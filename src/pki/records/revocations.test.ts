import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { pkiLayout } from "../pki-layout.js";
import { addRevocation, parseRevocationReason, readRevocations, type RevocationRecord } from "./revocations.js";

function revocation(serial: string, revokedAt: string): RevocationRecord {
  return { version: 1, serial, issuerName: "ca", revokedAt, reason: "keyCompromise" };
}

test("revocation reasons: RFC 5280 names cert revoke accepts; anything else is one clear usage error", () => {
  assert.equal(parseRevocationReason("superseded"), "superseded");
  for (const bad of ["", "KeyCompromise", "removeFromCRL", "certificateHold", "toString", "__proto__"])
    assert.throws(() => parseRevocationReason(bad), { code: "bad-reason", exitCode: 2 }, bad);
});

test("revocations written at once are all kept; the earliest per serial wins; damaged files are named", async () => {
  const root = await mkdtemp(join(tmpdir(), "revocations-"));
  try {
    const layout = pkiLayout(root);
    assert.deepEqual(await readRevocations(layout), { revocations: [], unreadable: [] });
    await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        addRevocation(layout, revocation((index + 1).toString(16).padStart(2, "0"), "2026-01-02T00:00:00.000Z")),
      ),
    );
    await addRevocation(layout, revocation("01", "2026-01-01T00:00:00.000Z"));
    await writeFile(join(layout.revocationsDir, "garbage.json"), "{not json");
    const read = await readRevocations(layout);
    assert.equal(read.revocations.length, 50);
    assert.equal(read.revocations[0]?.serial, "01");
    assert.equal(read.revocations[0]?.revokedAt, "2026-01-01T00:00:00.000Z");
    assert.deepEqual(read.unreadable, [join(layout.revocationsDir, "garbage.json")]);
    assert.equal((await readdir(layout.revocationsDir)).length, 52);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
