import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import { type PkiLayout, pkiLayout } from "../pki-layout.js";
import { initCa } from "./ca-init.js";
import { retireCa } from "./ca-retire.js";
import { rotateCa } from "./ca-rotate.js";
import { trustedRootsFile, trustedRootsPath, trustedRootsPem, writeTrustedRoots } from "./trust-anchors.js";

let dir: string;
let layout: PkiLayout;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-roots-"));
  layout = pkiLayout(join(dir, "pki"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const count = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;

test("a PKI that never rotated: no ca/roots.crt is written, and the path to paste stays ca/ca.crt", async () => {
  await initCa(layout);
  const before = await readdir(layout.caDir);
  assert.equal(await writeTrustedRoots(layout), layout.caCert);
  assert.equal(trustedRootsFile(layout), layout.caCert);
  assert.deepEqual(await readdir(layout.caDir), before, "nothing written");
  assert.equal(await trustedRootsPem(layout), await readFile(layout.caCert, "utf8"));
});

test("ca rotate writes ca/roots.crt with the new root and the old; ca retire leaves the new one alone in it", async () => {
  await initCa(layout);
  const oldRoot = await readFile(layout.caCert, "utf8");
  const rotated = await rotateCa(layout);
  const newRoot = await readFile(layout.caCert, "utf8");
  assert.equal(trustedRootsFile(layout), trustedRootsPath(layout));
  const during = await readFile(trustedRootsPath(layout), "utf8");
  assert.equal(count(during), 2);
  assert.equal(during, `${newRoot}${oldRoot}`);
  await retireCa(layout, rotated.previous.keyId);
  assert.equal(await readFile(trustedRootsPath(layout), "utf8"), newRoot, "the old root is dropped");
  assert.equal(trustedRootsFile(layout), trustedRootsPath(layout), "still the file to paste: its content is current");
});

test("a ca/roots.crt left stale (rotation killed before it was rewritten) is rewritten by the next writeTrustedRoots", async () => {
  await initCa(layout);
  await rotateCa(layout);
  await rm(trustedRootsPath(layout));
  assert.ok(!existsSync(trustedRootsPath(layout)));
  assert.equal(await writeTrustedRoots(layout), trustedRootsPath(layout));
  assert.equal(await readFile(trustedRootsPath(layout), "utf8"), await trustedRootsPem(layout));
});
