import assert from "node:assert/strict";
import { test } from "node:test";

import { ExitCode, PgwardenError } from "../../core/errors.js";
import { FactUnavailable, type ServerSource } from "../fact.js";
import { probedAddress, probeFailure } from "./served-tls-probe.js";

const over = (host: string, socket: boolean) =>
  ({ connection: { host, port: 5433, socket } }) as unknown as ServerSource;

test("probedAddress: the audit's host and port over TCP; over a Unix socket not applicable, for the reason given", () => {
  assert.deepEqual(probedAddress(over("127.0.0.1", false), "unused"), { host: "127.0.0.1", port: 5433 });
  assert.throws(
    () => probedAddress(over("/var/run/postgresql", true), "no wire here"),
    (error: unknown) =>
      error instanceof FactUnavailable &&
      error.unavailability.kind === "not-applicable" &&
      error.unavailability.reason === "no wire here",
  );
});

test("probeFailure: pgwarden's own probe errors make the fact failed with their words; anything else goes up unchanged", () => {
  const refused = probeFailure(new PgwardenError("connection-failed", "127.0.0.1:5433: refused", ExitCode.connection));
  assert.ok(refused instanceof FactUnavailable);
  assert.deepEqual(refused.unavailability, { kind: "failed", reason: "127.0.0.1:5433: refused" });
  const bug = new TypeError("a bug");
  assert.equal(probeFailure(bug), bug);
  const notApplicable = new FactUnavailable({ kind: "not-applicable", reason: "the server serves no TLS" });
  assert.equal(probeFailure(notApplicable), notApplicable);
});
