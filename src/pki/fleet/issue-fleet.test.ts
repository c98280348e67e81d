import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { pkiLayout } from "../pki-layout.js";
import { type FleetIssueEnvironment, issueFleetCertificates } from "./issue-fleet.js";

const dir = mkdtempSync(join(tmpdir(), "pgwarden-issue-fleet-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const emptyInventory = join(dir, "empty.yml");
writeFileSync(emptyInventory, "all:\n  children:\n    infra: { hosts: { 10.10.10.10: {} } }\n");
const fleetInventory = join(dir, "pigsty.yml");
writeFileSync(
  fleetInventory,
  "all:\n  children:\n    pg-test:\n      hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary } }\n      vars: { pg_cluster: pg-test }\n",
);
const request = { dryRun: true, force: false, days: 365, keyType: "ec-p256" as const };

function environment(calls: string[]): FleetIssueEnvironment {
  return {
    layout: () => {
      calls.push("layout");
      return pkiLayout(join(dir, "pki"));
    },
    now: new Date(),
    signingCa: () => {
      calls.push("signingCa");
      return Promise.reject(new Error("not for a dry run"));
    },
    onWarning: (message) => calls.push(`warn: ${message}`),
  };
}

test("an inventory with nothing to issue is a usage error (exit 2), judged before the PKI directory is looked at", async () => {
  const calls: string[] = [];
  await assert.rejects(
    issueFleetCertificates({ ...request, inventory: emptyInventory }, environment(calls)),
    (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && error.code === "empty-fleet",
  );
  assert.deepEqual(calls, []);
});

test("a dry run compares against the CA certificate alone: it never loads the CA key, and no CA is not found (exit 4)", async () => {
  const calls: string[] = [];
  await assert.rejects(
    issueFleetCertificates({ ...request, inventory: fleetInventory }, environment(calls)),
    (error: unknown) => error instanceof PgwardenError && error.exitCode === 4 && error.code === "ca-not-found",
  );
  assert.deepEqual(calls, ["layout"]);
});
