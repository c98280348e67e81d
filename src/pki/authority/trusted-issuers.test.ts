import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { pkiLayout } from "../pki-layout.js";
import { addRevocation } from "../records/revocations.js";
import { lastCrlNumber } from "../revocation/crl-number.js";
import { writeCrls } from "../revocation/crl-writer.js";
import { initCa } from "./ca-init.js";
import { rotateCa } from "./ca-rotate.js";
import { createIntermediate } from "./intermediate-create.js";
import { rotateIntermediate } from "./intermediate-rotate.js";
import { issuerFiles } from "./issuers.js";
import { keyIdOfFile } from "./rotation-journal.js";
import { crlStateName, listTrustedIssuerFiles, rotatedAnchorsPem } from "./trusted-issuers.js";

test("crlStateName: the issuer name, and <name>-<key id 16> for a rotated CA", () => {
  const layout = pkiLayout("/pki");
  assert.equal(crlStateName(issuerFiles(layout, "client")), "client");
  assert.equal(
    crlStateName({ ...issuerFiles(layout, "ca"), rotatedKeyId: "0123456789abcdef0123" }),
    "ca-0123456789abcdef",
  );
});

test("after a root rotation: the rotated root is listed with its own CRL path; its CRL holds only revocations naming its key, numbered above every CRL it signed before", async () => {
  const root = await mkdtemp(join(tmpdir(), "trusted-issuers-"));
  try {
    const layout = pkiLayout(root);
    await initCa(layout);
    const oldKeyId = (await keyIdOfFile(layout.caCert)) as string;
    await writeCrls(layout);
    await writeCrls(layout);
    assert.equal(await lastCrlNumber(layout, "ca"), 2);
    await rotateCa(layout);
    const newKeyId = (await keyIdOfFile(layout.caCert)) as string;
    const listed = await listTrustedIssuerFiles(layout);
    assert.deepEqual(
      listed.map((files) => [files.name, files.rotatedKeyId, files.crlPath]),
      [
        ["ca", undefined, join(root, "crl", "ca.crl")],
        ["ca", oldKeyId, join(root, "crl", `ca-${oldKeyId.slice(0, 16)}.crl`)],
      ],
    );
    const revokedAt = "2026-03-01T10:00:00.000Z";
    await addRevocation(layout, {
      version: 1,
      serial: "0a",
      issuerName: "ca",
      issuerKeyId: oldKeyId,
      revokedAt,
      reason: "keyCompromise",
    });
    await addRevocation(layout, {
      version: 1,
      serial: "0b",
      issuerName: "ca",
      issuerKeyId: newKeyId,
      revokedAt,
      reason: "superseded",
    });
    // A record without a key id (made before records had one) is the current CA's.
    await addRevocation(layout, { version: 1, serial: "0c", issuerName: "ca", revokedAt, reason: "unspecified" });
    const written = await writeCrls(layout);
    assert.deepEqual(
      written.crls.map((crl) => [crl.issuer, crl.entries]),
      [
        ["ca", 2],
        [`ca-${oldKeyId.slice(0, 16)}`, 1],
      ],
    );
    const rotatedCrl = written.crls[1];
    assert.ok(
      rotatedCrl && rotatedCrl.number > 2,
      `a rotated CA's CRL number (${rotatedCrl?.number}) never repeats one it used`,
    );
    const text = execFileSync(
      "openssl",
      ["crl", "-in", rotatedCrl.path, "-CAfile", listed[1]?.certPath ?? "", "-noout", "-verify", "-text"],
      { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] },
    );
    assert.match(text, /Serial Number: 0A/);
    assert.doesNotMatch(text, /Serial Number: 0B|Serial Number: 0C/);
    assert.equal(((await readFile(written.combinedPath, "utf8")).match(/BEGIN X509 CRL/g) ?? []).length, 2);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("rotatedAnchorsPem: the anchor twin of each rotated intermediate of that name, none for another name", async () => {
  const root = await mkdtemp(join(tmpdir(), "trusted-anchors-"));
  try {
    const layout = pkiLayout(root);
    await initCa(layout);
    await createIntermediate(layout, { name: "client" });
    await createIntermediate(layout, { name: "server" });
    assert.equal(await rotatedAnchorsPem(layout, "client"), "");
    const first = await readFile(join(root, "ca", "client-ca.anchor.crt"), "utf8");
    await rotateIntermediate(layout, "client");
    const second = await readFile(join(root, "ca", "client-ca.anchor.crt"), "utf8");
    assert.notEqual(first, second, "a new anchor twin");
    assert.equal(await rotatedAnchorsPem(layout, "client"), first);
    await rotateIntermediate(layout, "client");
    const both = await rotatedAnchorsPem(layout, "client");
    assert.ok(both.includes(first) && both.includes(second) && both.length === first.length + second.length);
    assert.equal(await rotatedAnchorsPem(layout, "server"), "");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
