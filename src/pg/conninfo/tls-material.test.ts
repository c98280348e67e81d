import assert from "node:assert/strict";
import { test } from "node:test";
import { clientKeyProblem } from "./tls-material.js";

const file = (mode: number, uid: number) => ({ mode: 0o100000 | mode, uid, isFile: () => true });
const ME = 1000;
const ROOT = 0;

test("a client key is refused as libpq refuses it: 0600 or less when it is yours, 0640 or less when another user (root) owns it", () => {
  assert.equal(clientKeyProblem("k", file(0o600, ME), ME), undefined);
  assert.equal(clientKeyProblem("k", file(0o400, ME), ME), undefined);
  assert.match(clientKeyProblem("k", file(0o640, ME), ME) ?? "", /has group or world access/);
  assert.equal(clientKeyProblem("k", file(0o640, ROOT), ME), undefined);
  assert.match(clientKeyProblem("k", file(0o660, ROOT), ME) ?? "", /u=rw,g=r \(0640\) or less if owned by root/);
  assert.match(clientKeyProblem("k", file(0o644, ROOT), ME) ?? "", /has group or world access/);
  assert.match(clientKeyProblem("k", { mode: 0o040700, uid: ME, isFile: () => false }, ME) ?? "", /is not a regular file/);
});
