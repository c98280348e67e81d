import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { initCa } from "../authority/ca-init.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { pkiLayout } from "../pki-layout.js";
import { leafTemplate } from "./leaf-template.js";
import { PROFILES } from "./profiles.js";
import { SigningWorker } from "./signing-worker.js";

let dir: string;
let ca: CertificateAuthority;
const now = new Date();
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-worker-"));
  ca = (await initCa(pkiLayout(join(dir, "pki")), { days: 30, now })).ca;
});
after(() => rm(dir, { recursive: true, force: true }));

const job = (commonName: string, index = 0) => ({
  index,
  request: { commonName, subjectAltNames: [], days: 5 },
  keyType: "ec-p256" as const,
});
const goodSetup = () => ({
  template: leafTemplate(ca, PROFILES.client),
  issuerKeyDer: ca.key.export({ type: "pkcs8", format: "der" }),
  now,
});

test("a worker signs jobs one at a time, and refuses work once stopped", async () => {
  const worker = new SigningWorker(goodSetup());
  try {
    const [item] = await worker.sign([job("dbuser_app", 7)]);
    assert.equal(item?.index, 7);
    const cert = new X509Certificate(item?.leaf.certPem ?? "");
    assert.ok(cert.verify(ca.certificate.publicKey));
    assert.ok(cert.checkPrivateKey(createPrivateKey(item?.keyPem ?? "")));
    const busy = worker.sign([job("a")]);
    await assert.rejects(worker.sign([job("b")]), /one job at a time/);
    await busy;
  } finally {
    await worker.terminate();
  }
  await worker.exited;
  await assert.rejects(worker.sign([job("late")]), /certificate worker stopped/);
});

test("a worker that fails while it starts fails its waiting job and every later one, never the process", async () => {
  const bad = { ...goodSetup(), issuerKeyDer: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]) };
  const early = new SigningWorker(bad);
  const waiting = early.sign([job("first")]);
  await assert.rejects(waiting, /certificate worker failed/);
  const idle = new SigningWorker(bad);
  // Nobody asks anything of this one until it has died: its error must still be caught.
  await idle.exited;
  await assert.rejects(idle.sign([job("later")]), /certificate worker failed/);
  await Promise.all([early.terminate(), idle.terminate()]);
});
