import assert from "node:assert/strict";
import { test } from "node:test";

import { ExitCode } from "../core/errors.js";
import { ExitSignal } from "./exit-signal.js";

test("ExitSignal is an Error (so it may be thrown as one) that carries the exit code the command chose", () => {
  const signal = new ExitSignal(ExitCode.checkFailed);
  assert.ok(signal instanceof Error);
  assert.equal(signal.name, "ExitSignal");
  assert.equal(signal.exitCode, ExitCode.checkFailed);
});
