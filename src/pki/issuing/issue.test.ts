import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { initCa } from "../authority/ca-init.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { describeCertificate } from "../inspect/certificate-info.js";
import { type PkiLayout, pkiLayout } from "../pki-layout.js";
import { readRecords } from "../records/certificate-records.js";
import { issueCertificate, prepareLeaf } from "./issue.js";
import { issueBatch } from "./issue-batch.js";
import { PROFILES } from "./profiles.js";
import { signCertificateRequest } from "./sign-csr.js";
import { MAX_VALIDITY_DAYS } from "./validity.js";

let dir: string;
let layout: PkiLayout;
let ca: CertificateAuthority;
const now = new Date();
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-issue-"));
  layout = pkiLayout(join(dir, "pki"));
  ca = (await initCa(layout, { days: 30, now })).ca;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test("a server certificate carries its SANs, serverAuth, the CA's key id, and a 0600 key", async () => {
  const result = await issueCertificate(
    layout,
    ca,
    {
      profile: PROFILES.server,
      commonName: "pg-1",
      subjectAltNames: ["pg-1.example.com", "10.0.0.1", "::1"],
      days: 10,
    },
    now,
  );
  const der = new X509Certificate(await readFile(result.certPath)).raw;
  const info = describeCertificate(der, now);
  assert.deepEqual(info.subjectAltNames, [
    { type: "dns", value: "pg-1.example.com" },
    { type: "ip", value: "10.0.0.1" },
    { type: "ip", value: "::1" },
    { type: "dns", value: "pg-1" },
  ]);
  assert.deepEqual(info.extendedKeyUsage, ["serverAuth"]);
  assert.deepEqual(info.keyUsage, ["digitalSignature"]);
  assert.deepEqual(info.basicConstraints, { ca: false, pathLength: null });
  assert.equal(info.authorityKeyId, describeCertificate(ca.der).subjectKeyId);
  assert.equal(info.issuer, describeCertificate(ca.der).subject);
  assert.equal((await stat(result.keyPath as string)).mode & 0o777, 0o600);
  assert.ok(new X509Certificate(der).checkPrivateKey(createPrivateKey(await readFile(result.keyPath as string))));
  assert.equal(result.record.serial, info.serial);
  assert.deepEqual(result.warnings, []);
});

test("a server certificate without --san gets its CN; a CN that is no host name needs --san", async () => {
  const result = await issueCertificate(layout, ca, { profile: PROFILES.server, commonName: "db.example.com" }, now);
  assert.deepEqual(result.record.subjectAltNames, ["DNS:db.example.com"]);
  assert.throws(
    () => prepareLeaf(layout, { profile: PROFILES.peer, commonName: "etcd_1" }),
    (error: unknown) => error instanceof PgwardenError && /--san/.test(error.message),
  );
});

test("a leaf never outlives its CA: notAfter clamped, with a warning", async () => {
  const result = await issueCertificate(
    layout,
    ca,
    { profile: PROFILES.client, commonName: "dbuser_dba", days: 365 },
    now,
  );
  assert.equal(result.record.notAfter, ca.notAfter.toISOString());
  assert.match(result.warnings.join("\n"), /never outlives its issuer/);
});

test("RSA keys also get keyEncipherment; Ed25519 servers get the channel-binding warning", async () => {
  const rsa = await issueCertificate(
    layout,
    ca,
    { profile: PROFILES.client, commonName: "rsa_user", keyType: "rsa-2048", days: 5 },
    now,
  );
  assert.deepEqual(describeCertificate(new X509Certificate(await readFile(rsa.certPath)).raw).keyUsage, [
    "digitalSignature",
    "keyEncipherment",
  ]);
  const ed = await issueCertificate(
    layout,
    ca,
    { profile: PROFILES.server, commonName: "localhost", keyType: "ed25519", days: 5 },
    now,
  );
  assert.match(ed.warnings.join("\n"), /channel binding/);
});

test("an existing key and certificate are not replaced without force", async () => {
  const first = await issueCertificate(layout, ca, { profile: PROFILES.client, commonName: "app", days: 5 }, now);
  const before = await readFile(first.certPath, "utf8");
  await assert.rejects(
    issueCertificate(layout, ca, { profile: PROFILES.client, commonName: "app", days: 5 }, now),
    (error: unknown) => error instanceof PgwardenError && error.code === "already-exists",
  );
  assert.equal(await readFile(first.certPath, "utf8"), before);
  const second = await issueCertificate(
    layout,
    ca,
    { profile: PROFILES.client, commonName: "app", days: 5, force: true },
    now,
  );
  assert.notEqual(second.record.serial, first.record.serial);
});

test("a batch on worker threads issues every CN once, each recorded with a unique serial", async () => {
  const names = Array.from({ length: 150 }, (_, i) => `user_${i}`);
  const leaves = names.map((commonName) => prepareLeaf(layout, { profile: PROFILES.client, commonName, days: 5 }));
  let progress = 0;
  const { issued: results, skipped } = await issueBatch(layout, ca, leaves, {
    now,
    workers: 2,
    onProgress: (done) => (progress = done),
  });
  assert.deepEqual(skipped, []);
  assert.equal(progress, names.length);
  assert.deepEqual(
    results.map((result) => result.record.commonName),
    names,
  );
  const { records } = await readRecords(layout);
  const leafRecords = records.filter((record) => record.profile === "client");
  assert.equal(leafRecords.length, names.length);
  assert.equal(new Set(leafRecords.map((record) => record.serial)).size, names.length);
  const files = await readdir(join(layout.root, "client"));
  assert.equal(files.filter((name) => name.endsWith(".key")).length, names.length);
  for (const result of results.slice(0, 5)) {
    const cert = new X509Certificate(await readFile(result.certPath));
    assert.ok(cert.verify(ca.certificate.publicKey));
    assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(result.keyPath as string))));
  }
});

test("a batch run again skips the pairs already issued and intact and issues only the missing; a lone key or a mismatched pair refuses it", async () => {
  const names = Array.from({ length: 12 }, (_, i) => `again_${i}`);
  const leaves = names.map((commonName) => prepareLeaf(layout, { profile: PROFILES.client, commonName, days: 5 }));
  const first = await issueBatch(layout, ca, leaves.slice(0, 8), { now });
  const second = await issueBatch(layout, ca, leaves, { now });
  assert.deepEqual(
    second.skipped.map((result) => result.record.serial),
    first.issued.map((result) => result.record.serial),
  );
  assert.deepEqual(
    second.issued.map((result) => result.record.commonName),
    names.slice(8),
  );
  assert.equal(
    (await issueBatch(layout, ca, leaves, { now })).skipped.length,
    names.length,
    "a third run has nothing to do",
  );

  const loneKey = prepareLeaf(layout, { profile: PROFILES.client, commonName: "lone", days: 5 });
  writeFileSync(loneKey.paths.key, "someone's key\n", { mode: 0o600 });
  await assert.rejects(
    issueBatch(layout, ca, [...leaves, loneKey], { now }),
    (error: unknown) => error instanceof PgwardenError && error.code === "already-exists",
  );
  // A key swapped for another pair's: not intact, so not skipped.
  writeFileSync(join(layout.root, "client", "again_3.key"), readFileSync(join(layout.root, "client", "again_4.key")));
  await assert.rejects(
    issueBatch(layout, ca, leaves, { now }),
    (error: unknown) => error instanceof PgwardenError && /again_3\.crt already exists/.test(error.message),
  );
  // The same pair under another profile is no skip either.
  const asServer = prepareLeaf(layout, {
    profile: PROFILES.peer,
    commonName: "again_5",
    subjectAltNames: ["10.0.0.5"],
    cnAsSan: false,
    group: "client",
    days: 5,
  });
  await assert.rejects(issueBatch(layout, ca, [asServer], { now }), /again_5\.crt already exists/);
});

test("a batch naming a CN twice is refused before anything is written", async () => {
  const leaves = ["a1", "b1", "a1"].map((commonName) =>
    prepareLeaf(layout, { profile: PROFILES.client, commonName, days: 5 }),
  );
  await assert.rejects(issueBatch(layout, ca, leaves, { now }), /listed twice/);
  await assert.rejects(stat(join(layout.root, "client")), /ENOENT/);
});

test(
  "a batch whose write fails with chunks in flight stops, settles, and records only what is on disk",
  { timeout: 60_000 },
  async () => {
    const names = Array.from({ length: 400 }, (_, i) => `fleet_${i}`);
    const leaves = names.map((commonName) => prepareLeaf(layout, { profile: PROFILES.client, commonName, days: 5 }));
    const intruder = join(layout.root, "client", `${names[names.length - 1]}.key`);
    let planted = false;
    // After the first chunk lands, another writer takes the last CN's key name: its
    // exclusive link must fail while other chunks are being signed and written.
    const onProgress = () => {
      if (planted) return;
      planted = true;
      writeFileSync(intruder, "not ours\n", { mode: 0o600, flag: "wx" });
    };
    await assert.rejects(
      issueBatch(layout, ca, leaves, { now, workers: 2, onProgress }),
      (error: unknown) => error instanceof PgwardenError && error.code === "already-exists",
    );
    assert.equal(readFileSync(intruder, "utf8"), "not ours\n", "someone else's file is left alone");
    const onDisk = new Set(await readdir(join(layout.root, "client")));
    assert.deepEqual(
      [...onDisk].filter((name) => name.endsWith(".tmp")),
      [],
      "no temp file left behind",
    );
    const { records } = await readRecords(layout);
    const leafRecords = records.filter((record) => record.profile === "client");
    assert.ok(
      leafRecords.length > 0 && leafRecords.length < names.length,
      `some but not all recorded (${leafRecords.length})`,
    );
    for (const record of leafRecords) {
      const keyPath = join(layout.root, record.keyPath as string);
      const cert = new X509Certificate(await readFile(join(layout.root, record.certPath)));
      assert.equal(
        BigInt(`0x${cert.serialNumber}`),
        BigInt(`0x${record.serial}`),
        `${record.commonName}: serial as recorded`,
      );
      assert.ok(
        cert.checkPrivateKey(createPrivateKey(await readFile(keyPath))),
        `${record.commonName}: key matches certificate`,
      );
    }
    const recordedKeys = new Set(leafRecords.map((record) => `${record.commonName}.key`));
    const strayKeys = [...onDisk].filter(
      (name) => name.endsWith(".key") && !recordedKeys.has(name) && join(layout.root, "client", name) !== intruder,
    );
    assert.deepEqual(strayKeys, [], "every key on disk is recorded");
  },
);

test("a batch whose workers cannot start fails with one error and leaves no key, certificate or record", async () => {
  // The CA key as the workers receive it is unreadable; the main thread's copy is fine.
  const key = new Proxy(ca.key, {
    get(target, property): unknown {
      if (property === "export") return () => Buffer.from("not a key");
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const leaves = Array.from({ length: 100 }, (_, index) =>
    prepareLeaf(layout, { profile: PROFILES.client, commonName: `crew_${index}`, days: 5 }),
  );
  await assert.rejects(issueBatch(layout, { ...ca, key }, leaves, { now, workers: 2 }), /certificate worker failed/);
  const files = await readdir(join(layout.root, "client")).catch(() => [] as string[]);
  assert.deepEqual(files, []);
  assert.deepEqual(
    (await readRecords(layout)).records.filter((record) => record.profile === "client"),
    [],
  );
});

test("library issuance refuses a group directory symlinked out of the PKI and a world-writable PKI, writing nothing there", async () => {
  const outside = join(dir, "outside");
  await mkdir(outside, { mode: 0o755 });
  await symlink(outside, join(layout.root, "client"));
  const refusal = (error: unknown) =>
    error instanceof PgwardenError && error.code === "pki-symlink-escape" && error.exitCode === 7;
  await assert.rejects(issueCertificate(layout, ca, { profile: PROFILES.client, commonName: "alice" }, now), refusal);
  const batch = [prepareLeaf(layout, { profile: PROFILES.client, commonName: "bob" })];
  await assert.rejects(issueBatch(layout, ca, batch), refusal);
  assert.deepEqual(await readdir(outside), [], "no key was written outside the PKI");
  await rm(join(layout.root, "client"));
  await chmod(layout.root, 0o777);
  await assert.rejects(
    issueCertificate(layout, ca, { profile: PROFILES.client, commonName: "alice" }, now),
    (error: unknown) => error instanceof PgwardenError && error.code === "pki-world-writable",
  );
});

test("a server or peer certificate names its CN among its SANs also when --san is given (libpq ignores the CN beside a SAN of the host's type); a client's CN never becomes a SAN", async () => {
  for (const profile of [PROFILES.server, PROFILES.peer]) {
    const result = await issueCertificate(
      layout,
      ca,
      { profile, commonName: "db1.example", subjectAltNames: ["127.0.0.1"], group: profile.name, days: 5 },
      now,
    );
    const info = describeCertificate(new X509Certificate(await readFile(result.certPath)).raw, now);
    assert.deepEqual(
      info.subjectAltNames,
      [
        { type: "ip", value: "127.0.0.1" },
        { type: "dns", value: "db1.example" },
      ],
      profile.name,
    );
  }
  const byAddress = prepareLeaf(layout, {
    profile: PROFILES.server,
    commonName: "10.0.0.7",
    subjectAltNames: ["db7.example", "IP:10.0.0.7"],
  });
  assert.deepEqual(
    byAddress.request.subjectAltNames,
    [
      { type: "dns", value: "db7.example" },
      { type: "ip", value: "10.0.0.7" },
    ],
    "an address CN is an IP SAN, once",
  );
  const client = await issueCertificate(
    layout,
    ca,
    { profile: PROFILES.client, commonName: "dbuser_app", days: 5 },
    now,
  );
  assert.deepEqual(
    describeCertificate(new X509Certificate(await readFile(client.certPath)).raw, now).subjectAltNames,
    [],
  );
});

test("cnAsSan false (--no-cn-san) leaves the CN out; a CN that is no host name beside SANs is refused, naming --no-cn-san", () => {
  const without = prepareLeaf(layout, {
    profile: PROFILES.server,
    commonName: "db1.example",
    subjectAltNames: ["127.0.0.1"],
    cnAsSan: false,
  });
  assert.deepEqual(without.request.subjectAltNames, [{ type: "ip", value: "127.0.0.1" }]);
  assert.throws(
    () => prepareLeaf(layout, { profile: PROFILES.server, commonName: "pg_meta", subjectAltNames: ["db.example"] }),
    (error: unknown) =>
      error instanceof PgwardenError && error.code === "cn-not-host-name" && /--no-cn-san/.test(error.message),
  );
  assert.throws(
    () => prepareLeaf(layout, { profile: PROFILES.server, commonName: "db1.example", cnAsSan: false }),
    /needs a host name/,
  );
});

const refused = (code: string) => (error: unknown) =>
  error instanceof PgwardenError && error.code === code && error.exitCode === 2;

/** Days the CLI's --days refuses: -3 wrote an expired certificate, 0 a five-minute one, the others crashed or were taken. */
const BAD_DAYS = [-3, 0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e6, MAX_VALIDITY_DAYS + 1];

test("issueCertificate, prepareLeaf and signCertificateRequest refuse days the CLI refuses (bad-days, exit 2), writing nothing", async () => {
  for (const days of BAD_DAYS) {
    const options = { profile: PROFILES.client, commonName: "app", days };
    assert.throws(() => prepareLeaf(layout, options), refused("bad-days"), `prepareLeaf days ${days}`);
    await assert.rejects(issueCertificate(layout, ca, options, now), refused("bad-days"), `issue days ${days}`);
    // Before the request is read, as the CLI checks --days before it opens the file.
    const csr = join(dir, "missing.csr");
    await assert.rejects(
      signCertificateRequest(layout, ca, csr, { profile: PROFILES.client, days }, now),
      refused("bad-days"),
      `sign days ${days}`,
    );
  }
  await assert.rejects(stat(join(layout.root, "client")), /ENOENT/);
});

test("prepareLeaf refuses a key type pgwarden does not make (rsa-512 gave a 512-bit key): bad-key-type, exit 2", () => {
  for (const keyType of ["rsa-512", "rsa-1024", "ec-p521", "", "EC-P256"]) {
    assert.throws(
      () => prepareLeaf(layout, { profile: PROFILES.client, commonName: "app", keyType: keyType as "ec-p256" }),
      refused("bad-key-type"),
      keyType,
    );
  }
});

test("days 1 and MAX_VALIDITY_DAYS and every listed key type are still accepted", async () => {
  assert.equal(
    prepareLeaf(layout, { profile: PROFILES.client, commonName: "a", days: MAX_VALIDITY_DAYS }).request.days,
    MAX_VALIDITY_DAYS,
  );
  assert.equal(
    prepareLeaf(layout, { profile: PROFILES.client, commonName: "a", keyType: "rsa-4096" }).keyType,
    "rsa-4096",
  );
  const result = await issueCertificate(layout, ca, { profile: PROFILES.client, commonName: "app", days: 1 }, now);
  const cert = new X509Certificate(await readFile(result.certPath));
  assert.equal(Date.parse(cert.validTo) - Math.floor(now.getTime() / 1000) * 1000, 86_400_000);
});

test("a batch of hand-made leaves with bad days or an unknown key type is refused before any key is made", async () => {
  const good = prepareLeaf(layout, { profile: PROFILES.client, commonName: "app", days: 5 });
  const badDays = { ...good, request: { ...good.request, days: -3 } };
  const badKey = { ...good, keyType: "rsa-512" as "ec-p256" };
  await assert.rejects(issueBatch(layout, ca, [badDays], { now }), refused("bad-days"));
  await assert.rejects(issueBatch(layout, ca, [badKey], { now }), refused("bad-key-type"));
  await assert.rejects(stat(join(layout.root, "client")), /ENOENT/);
});
