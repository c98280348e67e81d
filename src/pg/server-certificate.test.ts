import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { copyFile, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import { PgwardenError } from "../core/errors.js";
import { initCa } from "../pki/authority/ca-init.js";
import type { CertificateAuthority } from "../pki/authority/certificate-authority.js";
import { issueCertificate } from "../pki/issuing/issue.js";
import { PROFILES } from "../pki/issuing/profiles.js";
import { leafPaths, type PkiLayout, pkiLayout } from "../pki/pki-layout.js";
import { ensureServerCertificate } from "./server-certificate.js";

let dir: string;
let layout: PkiLayout;
let ca: CertificateAuthority;
let other: { layout: PkiLayout; ca: CertificateAuthority };
const now = new Date();
const WANTED = ["db1.test", "localhost", "127.0.0.1"];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-server-cert-"));
  layout = pkiLayout(join(dir, "pki"));
  ca = (await initCa(layout, { now })).ca;
  const otherLayout = pkiLayout(join(dir, "other"));
  other = { layout: otherLayout, ca: (await initCa(otherLayout, { subject: { commonName: "other-ca" }, now })).ca };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const paths = () => leafPaths(layout, "server", "db1.test");
const request = (force = false) => ({ commonName: "db1.test", subjectAltNames: WANTED, group: "server", force });

/** OpenSSL's verdict on the certificate at `path` as a TLS server certificate of this CA. */
function opensslAccepts(path: string): boolean {
  return spawnSync("openssl", ["verify", "-CAfile", layout.caCert, "-purpose", "sslserver", path]).status === 0;
}

async function refusal(promise: Promise<unknown>): Promise<PgwardenError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof PgwardenError, `not refused: ${String(error)}`);
  assert.equal(error.exitCode, 2);
  return error;
}

test("no certificate: issued with the requested names", async () => {
  const result = await ensureServerCertificate(layout, ca, request(), now);
  assert.equal(result.action, "issued");
  assert.deepEqual(result.backups, []);
  assert.equal(new X509Certificate(result.certPem).subjectAltName, "DNS:db1.test, DNS:localhost, IP Address:127.0.0.1");
});

test("pgwarden's own certificate that names everything is kept, nothing backed up", async () => {
  await issueCertificate(
    layout,
    ca,
    { profile: PROFILES.server, commonName: "db1.test", subjectAltNames: [...WANTED, "vip.test"] },
    now,
  );
  const before = await readFile(paths().cert, "utf8");
  const result = await ensureServerCertificate(layout, ca, request(), now);
  assert.equal(result.action, "kept");
  assert.equal(result.certPem, before);
  assert.deepEqual(
    (await readdir(paths().dir)).filter((name) => name.endsWith(".bak")),
    [],
  );
});

test("pgwarden's own certificate lacking a name: re-issued with its names plus the new ones, old cert and key kept (key 0600)", async () => {
  // Made for the VIP only (--no-cn-san): it lacks the node's own name.
  await issueCertificate(
    layout,
    ca,
    { profile: PROFILES.server, commonName: "db1.test", subjectAltNames: ["vip.test", "10.0.0.5"], cnAsSan: false },
    now,
  );
  const [oldCert, oldKey] = await Promise.all([readFile(paths().cert, "utf8"), readFile(paths().key, "utf8")]);
  const result = await ensureServerCertificate(layout, ca, request(), now);
  assert.equal(result.action, "reissued");
  assert.match(result.reason ?? "", /does not name db1\.test, localhost, 127\.0\.0\.1/);
  assert.equal(
    new X509Certificate(result.certPem).subjectAltName,
    "DNS:vip.test, IP Address:10.0.0.5, DNS:db1.test, DNS:localhost, IP Address:127.0.0.1",
  );
  assert.ok(opensslAccepts(paths().cert));
  const [certBackup, keyBackup] = result.backups as [string, string];
  assert.equal(await readFile(certBackup, "utf8"), oldCert);
  assert.equal(await readFile(keyBackup, "utf8"), oldKey);
  assert.equal((await stat(keyBackup)).mode & 0o777, 0o600);
});

interface ForeignCase {
  readonly name: string;
  readonly make: () => Promise<void>;
  readonly reason: RegExp;
  /** OpenSSL's verdict on the certificate left there, when there is one to verify. */
  readonly opensslAccepts?: boolean;
}

const foreignCases: ForeignCase[] = [
  {
    name: "signed by another CA",
    make: async () => {
      await issueCertificate(
        other.layout,
        other.ca,
        { profile: PROFILES.server, commonName: "db1.test", subjectAltNames: ["db1.test"] },
        now,
      );
      const from = leafPaths(other.layout, "server", "db1.test");
      await issueCertificate(
        layout,
        ca,
        { profile: PROFILES.server, commonName: "db1.test", subjectAltNames: ["db1.test"] },
        now,
      );
      await Promise.all([copyFile(from.cert, paths().cert), copyFile(from.key, paths().key)]);
    },
    reason: /it is not signed by this CA \(issuer: CN=other-ca\)/,
    opensslAccepts: false,
  },
  {
    name: "signed by this CA but in no inventory record (made by another tool)",
    make: async () => {
      await issueCertificate(
        layout,
        ca,
        { profile: PROFILES.server, commonName: "db1.test", subjectAltNames: ["vip.test"] },
        now,
      );
      for (const name of await readdir(layout.recordsDir)) await unlink(join(layout.recordsDir, name));
    },
    reason: /pgwarden has no record of making it/,
    opensslAccepts: true,
  },
  {
    name: "its key is missing",
    make: async () => {
      await issueCertificate(
        layout,
        ca,
        { profile: PROFILES.server, commonName: "db1.test", subjectAltNames: ["vip.test"] },
        now,
      );
      await unlink(paths().key);
    },
    reason: /its key is missing/,
  },
  {
    name: "the key beside it is another certificate's",
    make: async () => {
      await issueCertificate(
        layout,
        ca,
        { profile: PROFILES.server, commonName: "db1.test", subjectAltNames: ["vip.test"] },
        now,
      );
      const second = await issueCertificate(layout, ca, { profile: PROFILES.server, commonName: "db2.test" }, now);
      await copyFile(second.keyPath as string, paths().key);
    },
    reason: /the key beside it does not belong to it/,
  },
  {
    name: "not a certificate at all",
    make: async () => {
      await issueCertificate(
        layout,
        ca,
        { profile: PROFILES.server, commonName: "db1.test", subjectAltNames: ["vip.test"] },
        now,
      );
      await writeFile(paths().cert, "not a certificate\n");
    },
    reason: /it cannot be read as a PEM certificate/,
  },
];

for (const item of foreignCases) {
  test(`a server certificate pgwarden did not make for this server is refused without force, untouched: ${item.name}`, async () => {
    await item.make();
    const read = async () =>
      Promise.all([readFile(paths().cert, "utf8").catch(() => ""), readFile(paths().key, "utf8").catch(() => "")]);
    const before = await read();
    const error = await refusal(ensureServerCertificate(layout, ca, request(), now));
    assert.match(error.message, item.reason);
    assert.match(error.message, /pass --force/);
    assert.deepEqual(await read(), before);
    assert.deepEqual(
      (await readdir(paths().dir)).filter((name) => name.endsWith(".bak")),
      [],
    );
    if (item.opensslAccepts !== undefined) assert.equal(opensslAccepts(paths().cert), item.opensslAccepts);

    const forced = await ensureServerCertificate(layout, ca, request(true), now);
    assert.equal(forced.action, "reissued");
    assert.ok(opensslAccepts(paths().cert));
    const backups = forced.backups ?? [];
    assert.equal(backups.length, before.filter((text) => text !== "").length);
    for (const backup of backups) assert.ok(before.includes(await readFile(backup, "utf8")), backup);
  });
}

test("with force, the names of a foreign certificate are carried over", async () => {
  await issueCertificate(
    other.layout,
    other.ca,
    { profile: PROFILES.server, commonName: "db1.test", subjectAltNames: ["corp-vip.test"] },
    now,
  );
  await issueCertificate(
    layout,
    ca,
    { profile: PROFILES.server, commonName: "db1.test", subjectAltNames: ["db1.test"] },
    now,
  );
  const from = leafPaths(other.layout, "server", "db1.test");
  await Promise.all([copyFile(from.cert, paths().cert), copyFile(from.key, paths().key)]);
  const forced = await ensureServerCertificate(layout, ca, request(true), now);
  assert.equal(
    new X509Certificate(forced.certPem).subjectAltName,
    "DNS:corp-vip.test, DNS:db1.test, DNS:localhost, IP Address:127.0.0.1",
  );
});
