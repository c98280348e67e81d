import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { pkiLayout } from "../pki-layout.js";
import { issuerFiles, listIssuerFiles, validateIntermediateName } from "./issuers.js";

test("issuer names: lower-case words; the root's name and ca init's old-ca.crt are reserved", () => {
  assert.equal(validateIntermediateName("client"), "client");
  assert.equal(validateIntermediateName("etcd-peer2"), "etcd-peer2");
  for (const bad of ["", "Client", "9lives", "a/b", "ca", "old", "root", "x".repeat(33), "sp ace"])
    assert.throws(() => validateIntermediateName(bad), { code: "bad-issuer-name" }, bad);
});

test("issuer files: the root in ca/ca.*, an intermediate in ca/<name>-ca.*, each CRL in crl/<name>.crl", () => {
  const layout = pkiLayout("/p");
  assert.deepEqual(issuerFiles(layout, "ca"), {
    name: "ca",
    kind: "root",
    certPath: "/p/ca/ca.crt",
    keyPath: "/p/ca/ca.key",
    crlPath: "/p/crl/ca.crl",
  });
  assert.equal(issuerFiles(layout, "client").certPath, "/p/ca/client-ca.crt");
  assert.equal(issuerFiles(layout, "client").crlPath, "/p/crl/client.crl");
});

test("listIssuerFiles: the root first, then intermediates by name; look-alikes are not issuers", async () => {
  const root = await mkdtemp(join(tmpdir(), "issuers-"));
  try {
    const layout = pkiLayout(root);
    assert.deepEqual(await listIssuerFiles(layout), []);
    await mkdir(layout.caDir);
    for (const name of [
      "ca.crt",
      "server-ca.crt",
      "client-ca.crt",
      "old-ca.crt",
      "Bad-ca.crt",
      "client-ca.key",
      "x.crt",
    ])
      await writeFile(join(layout.caDir, name), "");
    assert.deepEqual(
      (await listIssuerFiles(layout)).map((issuer) => issuer.name),
      ["ca", "client", "server"],
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
