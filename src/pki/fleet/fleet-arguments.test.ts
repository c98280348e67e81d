import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import type { KeyType } from "../keys/key-type.js";
import { pkiLayout } from "../pki-layout.js";
import { applyFleet } from "./fleet-apply.js";
import { compareFleet, type FleetComparison, type FleetIssuer } from "./fleet-compare.js";

const layout = pkiLayout("/nonexistent/pgwarden-fleet-arguments");
const refused = (code: string) => (error: unknown) =>
  error instanceof PgwardenError && error.code === code && error.exitCode === 2;

test("compareFleet refuses a key type pgwarden does not make before it reads anything (rsa-512 would be a weak key)", async () => {
  await assert.rejects(
    compareFleet(layout, {} as FleetIssuer, [], { keyType: "rsa-512" as KeyType, now: new Date() }),
    refused("bad-key-type"),
  );
});

test("applyFleet refuses days the CLI refuses before it writes anything", async () => {
  const comparison = { certificates: [], clusterKeys: [] } as unknown as FleetComparison;
  for (const days of [0, -3, 1.5, Number.NaN, 36501]) {
    await assert.rejects(
      applyFleet(layout, {} as CertificateAuthority, comparison, { force: false, days, now: new Date() }),
      refused("bad-days"),
      String(days),
    );
  }
});
