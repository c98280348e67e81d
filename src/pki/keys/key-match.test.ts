import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { initCa } from "../authority/ca-init.js";
import { issueCertificate } from "../issuing/issue.js";
import { PROFILES } from "../issuing/profiles.js";
import { pkiLayout } from "../pki-layout.js";
import { keyFileMatches, keyPemMatches } from "./key-match.js";

let dir: string;
let alice: { cert: X509Certificate; key: string };
let bob: { cert: X509Certificate; key: string };
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-key-match-"));
  const layout = pkiLayout(join(dir, "pki"));
  const { ca } = await initCa(layout, { days: 30 });
  const pair = async (commonName: string) => {
    const result = await issueCertificate(layout, ca, { profile: PROFILES.client, commonName, days: 5 });
    return { cert: new X509Certificate(readFileSync(result.certPath)), key: result.keyPath as string };
  };
  [alice, bob] = [await pair("alice"), await pair("bob")];
});
after(() => rm(dir, { recursive: true, force: true }));

test("a key matches its own certificate and no other", async () => {
  assert.equal(await keyFileMatches(alice.key, alice.cert), "match");
  assert.equal(await keyFileMatches(bob.key, alice.cert), "mismatch");
  assert.equal(keyPemMatches(readFileSync(alice.key, "utf8"), bob.cert), "mismatch");
});

test("an encrypted key cannot be told; a file that is no key says so; an unreadable path rejects", async () => {
  assert.equal(
    keyPemMatches("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n", alice.cert),
    "encrypted",
  );
  assert.equal(keyPemMatches(alice.cert.toString(), alice.cert), "not-a-key");
  await mkdir(join(dir, "a-directory.key"));
  await assert.rejects(keyFileMatches(join(dir, "a-directory.key"), alice.cert), { code: "EISDIR" });
  await symlink(join(dir, "nowhere"), join(dir, "dangling.key"));
  await assert.rejects(keyFileMatches(join(dir, "dangling.key"), alice.cert), { code: "ENOENT" });
  await writeFile(join(dir, "rsa.key"), "");
  assert.equal(await keyFileMatches(join(dir, "rsa.key"), alice.cert), "not-a-key");
});
