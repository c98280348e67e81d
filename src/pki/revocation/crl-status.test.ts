import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { initCa } from "../authority/ca-init.js";
import { combinedCrlPath } from "../authority/issuers.js";
import { pkiLayout } from "../pki-layout.js";
import { addRevocation } from "../records/revocations.js";
import { crlStatus, crlWarningStart } from "./crl-status.js";
import { writeCrls } from "./crl-writer.js";

const DAY = 24 * 60 * 60 * 1000;

test("warning window: a third of the CRL's life, never less than 2 days", () => {
  const start = new Date("2026-01-01T00:00:00Z");
  const at = (days: number) => new Date(start.getTime() + days * DAY);
  assert.deepEqual(crlWarningStart(start, at(30)), at(20), "30 days: the last 10");
  assert.deepEqual(crlWarningStart(start, at(3)), at(1), "3 days: the last 2, not the last 1");
  assert.deepEqual(crlWarningStart(start, at(1)), at(-1), "1 day: always within the window");
});

test("crl status: current, then due inside the window, then expired; missing only matters once a revocation exists", async () => {
  const root = await mkdtemp(join(tmpdir(), "crl-status-"));
  try {
    const layout = pkiLayout(root);
    await initCa(layout);
    const none = await crlStatus(layout);
    assert.equal(none.issuers[0]?.state, "missing");
    assert.deepEqual(none.problems, [], "no CRL and nothing revoked: nothing to warn about");
    await addRevocation(layout, {
      version: 1,
      serial: "0a",
      issuerName: "ca",
      revokedAt: new Date().toISOString(),
      reason: "keyCompromise",
    });
    const needed = await crlStatus(layout);
    assert.match(needed.problems[0] ?? "", /issuer ca has no CRL .* 1 revocation/);

    // Whole seconds, as the CRL's times are.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    await writeCrls(layout, { now, days: 7 });
    const fresh = await crlStatus(layout, now);
    assert.equal(fresh.issuers[0]?.state, "current");
    assert.equal(fresh.issuers[0]?.entries, 1);
    assert.equal(fresh.combined.state, "current");
    assert.deepEqual(fresh.problems, []);
    // 7 days: the window is the last 2 days and 8 hours (a third), so day 5 warns and day 4 does not.
    assert.equal((await crlStatus(layout, new Date(now.getTime() + 4 * DAY))).issuers[0]?.state, "current");
    const due = await crlStatus(layout, new Date(now.getTime() + 5 * DAY));
    assert.equal(due.issuers[0]?.state, "due");
    assert.match(due.problems[0] ?? "", /expires at .* in 2d 0h: run pgwarden crl/);
    const expired = await crlStatus(layout, new Date(now.getTime() + 8 * DAY));
    assert.equal(expired.issuers[0]?.state, "expired");
    assert.match(expired.problems[0] ?? "", /expired at .*CRL has expired/);

    // A combined file that is not the newest CRL is reported.
    await writeFile(combinedCrlPath(layout), "");
    assert.equal((await crlStatus(layout, now)).combined.state, "unreadable");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
