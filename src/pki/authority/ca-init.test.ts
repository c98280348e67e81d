import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import { AsnConvert } from "@peculiar/asn1-schema";

import { PgwardenError } from "../../core/errors.js";
import { signCertificate, validityDer } from "../encoding/certificate-der.js";
import { buildName, encodeSignatureAlgorithm } from "../encoding/certificate-extensions.js";
import { toPem } from "../encoding/der.js";
import { describeCertificate } from "../inspect/certificate-info.js";
import { issueCertificate } from "../issuing/issue.js";
import { PROFILES } from "../issuing/profiles.js";
import { MAX_VALIDITY_DAYS } from "../issuing/validity.js";
import { signatureAlgorithmFor } from "../keys/key-type.js";
import { type PkiLayout, pkiLayout } from "../pki-layout.js";
import { initCa } from "./ca-init.js";
import { loadCa } from "./certificate-authority.js";

let dir: string;
let layout: PkiLayout;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-ca-"));
  layout = pkiLayout(join(dir, "pki"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const failsWith = (code: string, exitCode: number) => (error: unknown) =>
  error instanceof PgwardenError && error.code === code && error.exitCode === exitCode;

test("a new root has the extensions of the design: CA, pathlen 1, certSign/cRLSign, SKI = AKI", async () => {
  const result = await initCa(layout, {
    subject: { commonName: "pigsty-ca", organization: "pigsty", organizationalUnit: "ca" },
  });
  assert.equal(result.action, "created");
  const info = describeCertificate(result.ca.der);
  assert.equal(info.subject, "O=pigsty, OU=ca, CN=pigsty-ca");
  assert.deepEqual(info.basicConstraints, { ca: true, pathLength: 1 });
  assert.deepEqual(info.keyUsage, ["digitalSignature", "keyCertSign", "cRLSign"]);
  assert.ok(info.subjectKeyId);
  assert.equal(info.authorityKeyId, info.subjectKeyId);
  assert.equal(info.selfSigned, true);
  assert.equal(info.keyType, "ec-p256");
  assert.ok(info.daysLeft >= 3649 && info.daysLeft <= 3650);
  assert.equal((await stat(layout.caDir)).mode & 0o777, 0o700);
  assert.equal((await stat(layout.caKey)).mode & 0o777, 0o600);
});

test("both files present: adopted after checking they are a pair", async () => {
  const first = await initCa(layout);
  const again = await initCa(layout);
  assert.equal(again.action, "adopted");
  assert.equal(again.ca.pem, first.ca.pem);

  const other = pkiLayout(join(dir, "other"));
  await initCa(other);
  await writeFile(layout.caCert, await readFile(other.caCert));
  await assert.rejects(initCa(layout), failsWith("ca-mismatch", 7));
});

test("ca.key without ca.crt: a new ca.crt is signed from that key", async () => {
  const first = await initCa(layout, { keyType: "ec-p384" });
  await unlink(layout.caCert);
  const again = await initCa(layout);
  assert.equal(again.action, "reissued");
  assert.ok(new X509Certificate(again.ca.der).checkPrivateKey(first.ca.key));
  assert.equal(describeCertificate(again.ca.der).keyType, "ec-p384");
});

test("ca.crt without ca.key is an error, never a fresh key", async () => {
  await initCa(layout);
  const cert = await readFile(layout.caCert);
  await unlink(layout.caKey);
  await assert.rejects(initCa(layout), failsWith("ca-key-missing", 4));
  assert.deepEqual(await readFile(layout.caCert), cert);
  await assert.rejects(stat(layout.caKey), /ENOENT/);
});

test("--no-create fails when there is no CA and writes nothing", async () => {
  await assert.rejects(initCa(layout, { noCreate: true }), failsWith("ca-missing", 4));
  await assert.rejects(stat(layout.root), /ENOENT/);
});

test("a passphrase encrypts the key; signing needs it and a wrong one is a PKI error", async () => {
  await initCa(layout, { passphrase: "correct horse battery staple" });
  assert.match(await readFile(layout.caKey, "utf8"), /BEGIN ENCRYPTED PRIVATE KEY/);
  await assert.rejects(loadCa(layout), failsWith("passphrase-required", 7));
  await assert.rejects(loadCa(layout, { passphrase: "wrong" }), failsWith("bad-passphrase", 7));
  const ca = await loadCa(layout, { passphrase: "correct horse battery staple" });
  assert.ok(ca.certificate.checkPrivateKey(ca.key));
});

test("a CA key readable by group or others is refused unless insecure", async () => {
  await initCa(layout);
  await chmod(layout.caKey, 0o644);
  await assert.rejects(
    loadCa(layout),
    (error: unknown) => failsWith("key-permissions", 7)(error) && /chmod 600/.test((error as Error).message),
  );
  await loadCa(layout, { insecure: true });
});

test("a corrupt ca.key is a PKI error", async () => {
  await initCa(layout);
  await writeFile(layout.caKey, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", { mode: 0o600 });
  await assert.rejects(loadCa(layout), failsWith("bad-key", 7));
});

for (const keyType of ["rsa-2048", "ed25519"] as const) {
  test(`a ${keyType} root signs itself with the matching algorithm`, async () => {
    const result = await initCa(layout, { keyType });
    const info = describeCertificate(result.ca.der);
    assert.equal(info.keyType, keyType);
    assert.equal(info.signatureAlgorithm, keyType === "ed25519" ? "ED25519" : "sha256WithRSAEncryption");
    assert.ok(new X509Certificate(result.ca.der).verify(result.ca.certificate.publicKey));
  });
}

test("--no-create with only ca.key writes no CA certificate (exit 4)", async () => {
  await initCa(layout);
  await unlink(layout.caCert);
  await assert.rejects(
    initCa(layout, { noCreate: true }),
    (error: unknown) =>
      failsWith("ca-cert-missing", 4)(error) && /copy the original ca\.crt/.test((error as Error).message),
  );
  await assert.rejects(stat(layout.caCert), /ENOENT/);
});

test("ca.key whose certificates survive: the new ca.crt takes their issuer's name, SKI and a notBefore no later than theirs", async () => {
  const first = await initCa(layout, { subject: { commonName: "acme-ca", organization: "acme" } });
  const leaf = await issueCertificate(layout, first.ca, { profile: PROFILES.server, commonName: "db1" });
  await unlink(layout.caCert);
  const again = await initCa(layout);
  assert.equal(again.action, "reissued");
  assert.deepEqual(again.restoredFrom, { issuer: "O=acme, CN=acme-ca", certificates: ["server/db1.crt"] });
  const made = new X509Certificate(again.ca.der);
  const old = new X509Certificate(await readFile(leaf.certPath));
  assert.ok(old.checkIssued(made) && old.verify(made.publicKey), "the old leaf chains to the new ca.crt");
  assert.equal(describeCertificate(again.ca.der).subjectKeyId, describeCertificate(first.ca.der).subjectKeyId);
  assert.ok(Date.parse(made.validFrom) <= Date.parse(old.validFrom));
});

test("ca.key whose certificates name two different issuers: refused, nothing written", async () => {
  const first = await initCa(layout);
  await issueCertificate(layout, first.ca, { profile: PROFILES.client, commonName: "u1" });
  const other = Buffer.from(AsnConvert.serialize(buildName({ commonName: "someone-else" })));
  const algorithm = signatureAlgorithmFor(first.ca.key);
  const stray = signCertificate(
    {
      serial: "01",
      signatureAlgorithm: encodeSignatureAlgorithm(algorithm),
      subject: other,
      issuer: other,
      validity: validityDer(new Date(), new Date(Date.now() + 86_400_000)),
      subjectPublicKeyInfo: first.ca.certificate.publicKey.export({ type: "spki", format: "der" }),
      extensions: [],
    },
    algorithm,
    first.ca.key,
  );
  await mkdir(join(layout.root, "misc"));
  await writeFile(join(layout.root, "misc", "stray.crt"), toPem(stray, "CERTIFICATE"));
  await unlink(layout.caCert);
  const namesBoth = /CN=someone-else.*CN=pgwarden-ca|CN=pgwarden-ca.*CN=someone-else/;
  await assert.rejects(
    initCa(layout),
    (error: unknown) => failsWith("ca-name-ambiguous", 7)(error) && namesBoth.test((error as Error).message),
  );
  await assert.rejects(stat(layout.caCert), /ENOENT/);
});

test("an adopted CA that has expired, or is not yet valid, is refused (exit 7)", async () => {
  await initCa(layout, { days: 30 });
  await assert.rejects(initCa(layout, { now: new Date(Date.now() + 31 * 86_400_000) }), failsWith("ca-expired", 7));
  await assert.rejects(initCa(layout, { now: new Date(Date.now() - 86_400_000) }), failsWith("ca-not-yet-valid", 7));
  await assert.rejects(loadCa(layout, { now: new Date(Date.now() + 31 * 86_400_000) }), failsWith("ca-expired", 7));
});

test("initCa refuses days and key types the CLI refuses (bad-days, bad-key-type, exit 2) and writes no CA", async () => {
  for (const days of [-3, 0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e6, MAX_VALIDITY_DAYS + 1]) {
    await assert.rejects(initCa(layout, { days }), failsWith("bad-days", 2), `days ${days}`);
  }
  for (const keyType of ["rsa-512", "dsa", ""]) {
    await assert.rejects(initCa(layout, { keyType: keyType as "ec-p256" }), failsWith("bad-key-type", 2), keyType);
  }
  await assert.rejects(stat(layout.caDir), /ENOENT/);
});

test("initCa still takes days 1 and MAX_VALIDITY_DAYS", async () => {
  const now = new Date("2026-06-01T12:00:00Z");
  const short = await initCa(layout, { days: 1, now });
  assert.equal(describeCertificate(short.ca.der).notAfter, "2026-06-02T12:00:00.000Z");
  await rm(layout.caDir, { recursive: true });
  const long = await initCa(layout, { days: MAX_VALIDITY_DAYS, now });
  assert.equal(describeCertificate(long.ca.der).notAfter, "2126-05-08T12:00:00.000Z");
});
