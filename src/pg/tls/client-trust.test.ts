import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import { initCa } from "../../pki/authority/ca-init.js";
import { rotateCa } from "../../pki/authority/ca-rotate.js";
import { createIntermediate } from "../../pki/authority/intermediate-create.js";
import { rotateIntermediate } from "../../pki/authority/intermediate-rotate.js";
import { loadIssuer } from "../../pki/authority/issuer-loader.js";
import { CLIENT_ISSUER, issuerAnchorPath } from "../../pki/authority/issuers.js";
import { issueCertificate } from "../../pki/issuing/issue.js";
import { PROFILES } from "../../pki/issuing/profiles.js";
import { type PkiLayout, pkiLayout } from "../../pki/pki-layout.js";
import { servedCertificateChain, serverTrust } from "./client-trust.js";

let dir: string;
let layout: PkiLayout;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-client-trust-"));
  layout = pkiLayout(join(dir, "pki"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test("without rotation, ssl_ca_file and the handshake roots are the root's file byte for byte, as before", async () => {
  const { ca } = await initCa(layout);
  const trust = await serverTrust(layout, ca);
  const root = await readFile(layout.caCert, "utf8");
  assert.equal(trust.clientCaPem, root);
  assert.equal(trust.rootPem, root);
  assert.equal(trust.clientCaSource, layout.caCert);
});

test("during a root rotation, without a client intermediate, both hold the new root then the old", async () => {
  await initCa(layout);
  const oldRoot = await readFile(layout.caCert, "utf8");
  const { current } = await rotateCa(layout);
  const trust = await serverTrust(layout, current);
  const expected = `${await readFile(layout.caCert, "utf8")}${oldRoot}`;
  assert.equal(trust.clientCaPem, expected);
  assert.equal(trust.rootPem, expected);
  assert.equal(trust.clientCaSource, join(layout.caDir, "roots.crt"));
});

test("with a client intermediate, ssl_ca_file is its anchor twin plus the rotated client twins (never the roots)", async () => {
  const { ca } = await initCa(layout);
  await createIntermediate(layout, { name: CLIENT_ISSUER });
  const anchor = await readFile(issuerAnchorPath(layout, CLIENT_ISSUER), "utf8");
  assert.equal((await serverTrust(layout, ca)).clientCaPem, anchor, "no rotation: the twin alone");
  // What `ca rotate --intermediate client` leaves in ca/rotated: the old intermediate's twin.
  const previousAnchor = join(dir, "previous.anchor.crt");
  await copyFile(issuerAnchorPath(layout, CLIENT_ISSUER), previousAnchor);
  await createIntermediate(layout, { name: CLIENT_ISSUER, force: true });
  await mkdir(join(layout.caDir, "rotated"), { recursive: true });
  await copyFile(previousAnchor, join(layout.caDir, "rotated", "client-0123456789abcdef.anchor.crt"));
  const trust = await serverTrust(layout, ca);
  assert.equal(trust.clientCaPem, `${await readFile(issuerAnchorPath(layout, CLIENT_ISSUER), "utf8")}${anchor}`);
  assert.ok(
    !trust.clientCaPem.includes((await readFile(layout.caCert, "utf8")).trim()),
    "the root is not trusted for logins",
  );
});

test("a server certificate of a rotated server intermediate is served followed by that intermediate, not alone", async () => {
  await initCa(layout);
  await createIntermediate(layout, { name: "server" });
  const before = await loadIssuer(layout, "server");
  await issueCertificate(layout, before, { profile: PROFILES.server, commonName: "db1", group: "server" });
  const leafPem = await readFile(join(layout.root, "server", "db1.crt"), "utf8");
  const oldIntermediate = await readFile(join(layout.caDir, "server-ca.crt"), "utf8");
  await rotateIntermediate(layout, "server");
  const current = await loadIssuer(layout, "server");
  const trust = await serverTrust(layout, current);
  assert.deepEqual(trust.rotatedServerIssuers, [oldIntermediate]);
  const served = servedCertificateChain(leafPem, current, trust.rotatedServerIssuers);
  assert.equal(served, `${leafPem}${oldIntermediate}`);
  assert.equal(
    servedCertificateChain(leafPem, current),
    leafPem,
    "without them: the leaf alone, which clients cannot chain",
  );
});
