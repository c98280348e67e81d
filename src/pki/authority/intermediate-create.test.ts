import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { describeCertificate, parseExtensions } from "../inspect/certificate-info.js";
import { issueCertificate } from "../issuing/issue.js";
import { PROFILES } from "../issuing/profiles.js";
import { type PkiLayout, pkiLayout } from "../pki-layout.js";
import { readRecords } from "../records/certificate-records.js";
import { initCa } from "./ca-init.js";
import { createIntermediate } from "./intermediate-create.js";
import { issuerNameFor, loadIssuer } from "./issuer-loader.js";

let dir: string;
let layout: PkiLayout;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-int-"));
  layout = pkiLayout(join(dir, "pki"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const failsWith = (code: string, exitCode: number) => (error: unknown) =>
  error instanceof PgwardenError && error.code === code && error.exitCode === exitCode;

const DAY_MS = 86_400_000;

test("an intermediate: pathlen 0, keyCertSign + cRLSign critical, AKI = root SKI, key 0600, 5 years; its anchor twin is self-signed", async () => {
  const root = await initCa(layout);
  const made = await createIntermediate(layout, { name: "client" });
  const info = describeCertificate(made.der);
  const cert = new X509Certificate(made.der);
  assert.ok(cert.checkIssued(root.ca.certificate) && cert.verify(root.ca.certificate.publicKey));
  const ext = parseExtensions(made.der);
  assert.equal(ext.basicConstraints?.cA, true);
  assert.equal(ext.basicConstraints?.pathLenConstraint, 0);
  assert.deepEqual(info.keyUsage.sort(), ["cRLSign", "keyCertSign"]);
  const critical = (oid: string) => ext.certificate.tbsCertificate.extensions?.find((e) => e.extnID === oid)?.critical;
  assert.equal(critical("2.5.29.19"), true);
  assert.equal(critical("2.5.29.15"), true);
  assert.equal(info.authorityKeyId, describeCertificate(root.ca.der).subjectKeyId);
  const years = (new Date(info.notAfter).getTime() - new Date(info.notBefore).getTime()) / (365 * DAY_MS);
  assert.ok(years > 4.99 && years < 5.01, `5 years, not ${years}`);
  assert.equal((await stat(made.keyPath)).mode & 0o777, 0o600);
  const anchor = new X509Certificate(await readFile(made.anchorPath));
  assert.equal(anchor.subject, cert.subject);
  assert.ok(anchor.publicKey.equals(cert.publicKey));
  assert.ok(anchor.verify(anchor.publicKey), "the twin is self-signed");
  const { records } = await readRecords(layout);
  const record = records.find((item) => item.profile === "intermediate");
  assert.equal(record?.issuerName, "ca");
  assert.equal(record?.certPath, "ca/client-ca.crt");
});

test("the intermediate's key is encrypted with the root's passphrase when the root's is, and loads with it", async () => {
  await initCa(layout, { passphrase: "root pass" });
  const made = await createIntermediate(layout, { name: "server", passphrase: "root pass" });
  assert.ok(made.keyEncrypted);
  assert.match(await readFile(made.keyPath, "utf8"), /BEGIN ENCRYPTED PRIVATE KEY/);
  const loaded = await loadIssuer(layout, "server", { passphrase: "root pass" });
  assert.equal(loaded.issuerName, "server");
  assert.equal(loaded.chainPem, await readFile(made.certPath, "utf8"));
  await assert.rejects(loadIssuer(layout, "server", {}), failsWith("passphrase-required", 7));
});

test("never beyond the root: --days past the root's end is cut back, with a warning", async () => {
  const root = await initCa(layout, { days: 30 });
  const made = await createIntermediate(layout, { name: "client", days: 3650 });
  assert.equal(describeCertificate(made.der).notAfter, root.ca.notAfter.toISOString());
  assert.match(made.warnings.join("\n"), /ends with the root/);
});

test("an existing intermediate is refused (exit 2) and left as it was; --force replaces it keeping .bak copies", async () => {
  await initCa(layout);
  const first = await createIntermediate(layout, { name: "client" });
  const before = await readFile(first.certPath, "utf8");
  await assert.rejects(createIntermediate(layout, { name: "client" }), failsWith("intermediate-exists", 2));
  assert.equal(await readFile(first.certPath, "utf8"), before);
  const second = await createIntermediate(layout, { name: "client", force: true });
  assert.notEqual(await readFile(second.certPath, "utf8"), before);
  assert.equal(second.backups.length, 3);
  const backupOfCert = second.backups.find((path) => path.startsWith(`${first.certPath}.`)) as string;
  assert.equal(await readFile(backupOfCert, "utf8"), before);
  const keyBackup = second.backups.find((path) => path.startsWith(`${first.keyPath}.`)) as string;
  assert.equal((await stat(keyBackup)).mode & 0o777, 0o600, "the old key's copy stays private");
});

test("bad names and constraints are refused before the root key is read; nothing is written", async () => {
  await initCa(layout);
  const before = await readdir(layout.caDir);
  await assert.rejects(createIntermediate(layout, { name: "ca" }), failsWith("bad-issuer-name", 2));
  await assert.rejects(createIntermediate(layout, { name: "Client" }), failsWith("bad-issuer-name", 2));
  await assert.rejects(
    createIntermediate(layout, { name: "x", permitIp: ["10.0.0.0/33"] }),
    failsWith("bad-permit-ip", 2),
  );
  await assert.rejects(createIntermediate(layout, { name: "x", permitDns: ["bad name"] }), failsWith("bad-san", 2));
  assert.deepEqual(await readdir(layout.caDir), before);
});

test("issuer selection: the intermediate named as the profile, peer falls back to server, else the root; unknown --issuer is exit 4", async () => {
  await initCa(layout);
  assert.equal(await issuerNameFor(layout, "client"), "ca");
  await createIntermediate(layout, { name: "server" });
  assert.equal(await issuerNameFor(layout, "server"), "server");
  assert.equal(await issuerNameFor(layout, "peer"), "server");
  assert.equal(await issuerNameFor(layout, "client"), "ca");
  await createIntermediate(layout, { name: "peer" });
  assert.equal(await issuerNameFor(layout, "peer"), "peer");
  assert.equal(await issuerNameFor(layout, "client", "ca"), "ca");
  await assert.rejects(issuerNameFor(layout, "client", "nope"), (error: unknown) => {
    assert.ok(failsWith("issuer-not-found", 4)(error));
    assert.match((error as Error).message, /the issuers are ca, peer, server/);
    return true;
  });
});

test("an expired intermediate refuses to sign (exit 7); a leaf is clamped to its intermediate with a warning naming it", async () => {
  const past = new Date(Date.now() - 10 * DAY_MS);
  await initCa(layout, { now: past });
  await createIntermediate(layout, { name: "client", days: 2, now: past });
  await assert.rejects(loadIssuer(layout, "client"), (error: unknown) => {
    assert.ok(failsWith("issuer-expired", 7)(error));
    assert.match((error as Error).message, /an expired issuer refuses to sign/);
    return true;
  });
  await createIntermediate(layout, { name: "server", days: 20, now: past });
  const server = await loadIssuer(layout, "server");
  const result = await issueCertificate(layout, server, { profile: PROFILES.server, commonName: "db1", days: 365 });
  assert.equal(result.record.notAfter, server.notAfter.toISOString());
  assert.match(result.warnings.join("\n"), /cut back to the intermediate "server"'s/);
  assert.equal(result.record.issuerName, "server");
  assert.equal(result.record.issuerKeyId, Buffer.from(server.keyId).toString("hex"));
  assert.equal(
    await readFile(result.chainPath as string, "utf8"),
    (await readFile(result.certPath, "utf8")) + server.chainPem,
  );
});

test("an intermediate not signed by the root in ca/ca.crt is refused (exit 7)", async () => {
  await initCa(layout);
  const made = await createIntermediate(layout, { name: "client" });
  const otherLayout = pkiLayout(join(dir, "other"));
  await initCa(otherLayout);
  const other = await createIntermediate(otherLayout, { name: "client" });
  await writeFile(made.certPath, await readFile(other.certPath));
  await writeFile(made.keyPath, await readFile(other.keyPath), { mode: 0o600 });
  await assert.rejects(loadIssuer(layout, "client"), failsWith("intermediate-not-signed-by-root", 7));
});

test("a root-signed leaf replacing an intermediate's (--issuer ca --force) leaves no chain file naming the old leaf", async () => {
  await initCa(layout);
  await createIntermediate(layout, { name: "client" });
  const client = await loadIssuer(layout, "client");
  const first = await issueCertificate(layout, client, { profile: PROFILES.client, commonName: "alice" });
  assert.ok(first.chainPath);
  await stat(first.chainPath);
  const root = await loadIssuer(layout, "ca");
  const second = await issueCertificate(layout, root, { profile: PROFILES.client, commonName: "alice", force: true });
  assert.equal(second.chainPath, undefined);
  await assert.rejects(stat(first.chainPath), { code: "ENOENT" });
});
