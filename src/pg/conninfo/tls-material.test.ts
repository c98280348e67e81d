import assert from "node:assert/strict";
import { test } from "node:test";

import { clientKeyProblem } from "./tls-material.js";

const file = (mode: number, uid: number) => ({ mode: 0o100000 | mode, uid, isFile: () => true });
const USER = 1000;
const ROOT = 0;

test("a client key is refused as libpq 15 refuses it: a root-owned key may be 0640, any other owner's 0600 or less, whoever connects", () => {
  assert.equal(clientKeyProblem("k", file(0o600, USER)), undefined);
  assert.equal(clientKeyProblem("k", file(0o400, USER)), undefined);
  assert.match(clientKeyProblem("k", file(0o640, USER)) ?? "", /has group or world access/);
  assert.match(clientKeyProblem("k", file(0o604, USER)) ?? "", /has group or world access/);
  assert.equal(
    clientKeyProblem("k", file(0o640, ROOT)),
    undefined,
    "root-owned 0640 (libpq takes it, even when root itself connects)",
  );
  assert.equal(clientKeyProblem("k", file(0o600, ROOT)), undefined);
  assert.match(clientKeyProblem("k", file(0o660, ROOT)) ?? "", /u=rw,g=r \(0640\) or less if owned by root/);
  assert.match(clientKeyProblem("k", file(0o650, ROOT)) ?? "", /has group or world access/);
  assert.match(clientKeyProblem("k", file(0o644, ROOT)) ?? "", /has group or world access/);
  assert.match(
    clientKeyProblem("k", { mode: 0o040700, uid: USER, isFile: () => false }) ?? "",
    /is not a regular file/,
  );
});
