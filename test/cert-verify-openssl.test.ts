/*
 * `cert verify` against `openssl verify -x509_strict`, case by case: each row builds its
 * certificates, runs them through OpenSSL (the reference: -attime, -purpose, -untrusted,
 * -CRLfile -crl_check_all as libpq and PostgreSQL check CRLs) and through pgwarden's
 * verifyCertificate, and expects the same verdict and the same OpenSSL error number. A
 * few rows also run the CLI. The host-name rows are in cert-verify-libpq.test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { webcrypto } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { x509Lib } from "../src/pki/encoding/x509-lib.js";
import { type Purpose, verifyCertificate } from "../src/pki/verify/verify-certificate.js";
import { pgwarden, tempDir } from "./support/cli.js";
import {
  type CertSpec,
  type Fixture,
  makeCertificate,
  makeCrl,
  makeKeys,
  privateKeyPem,
} from "./support/x509-fixtures.js";

const AT = new Date(Math.floor(Date.now() / 1000) * 1000);

interface Case {
  readonly leaf: Fixture;
  /** Certificates after the leaf in its file (pgwarden) / given as -untrusted (openssl). */
  readonly chain?: readonly Fixture[];
  readonly ca: readonly Fixture[];
  readonly crls?: readonly string[];
  readonly purpose?: Purpose;
}

interface Row {
  readonly name: string;
  /** OpenSSL's verdict, stated so the table documents it: 0 verified, else the error number. */
  readonly expect: number;
  readonly build: (f: Fixtures) => Case;
}

const SPECS = {
  root: () => ({ name: "CN=Test Root" }),
  otherRoot: () => ({ name: "CN=Other Root" }),
  sameNameRoot: () => ({ name: "CN=Test Root" }),
  int: (f) => ({ name: "CN=Test Int", issuer: f.root, pathLen: 0 }),
  openInt: (f) => ({ name: "CN=Test Open Int", issuer: f.root, ca: true }),
  int2: (f) => ({ name: "CN=Test Int Below PathLen 0", issuer: f.int, ca: true }),
  leaf: (f) => ({
    name: "CN=db.example.com",
    issuer: f.root,
    extKeyUsage: ["serverAuth"],
    dns: ["db.example.com"],
    ip: ["10.0.0.5"],
  }),
  leafViaInt: (f) => ({
    name: "CN=db.example.com",
    issuer: f.int,
    extKeyUsage: ["serverAuth"],
    dns: ["db.example.com"],
  }),
  leafViaOpen: (f) => ({
    name: "CN=db.example.com",
    issuer: f.openInt,
    extKeyUsage: ["serverAuth"],
    dns: ["db.example.com"],
  }),
  leafViaInt2: (f) => ({
    name: "CN=db.example.com",
    issuer: f.int2,
    extKeyUsage: ["serverAuth"],
    dns: ["db.example.com"],
  }),
  leafClient: (f) => ({ name: "CN=app_user", issuer: f.root, extKeyUsage: ["clientAuth"] }),
  ncDnsInt: (f) => ({
    name: "CN=NC DNS Int",
    issuer: f.root,
    ca: true,
    nameConstraints: { permittedDns: ["example.com"] },
  }),
  leafNcOk: (f) => ({ name: "CN=db.example.com", issuer: f.ncDnsInt, dns: ["db.example.com"] }),
  leafNcBad: (f) => ({ name: "CN=db.example.com", issuer: f.ncDnsInt, dns: ["db.example.com", "db.other.org"] }),
  leafNcCn: (f) => ({ name: "CN=db.other.org", issuer: f.ncDnsInt, ip: ["10.0.0.5"] }),
  ncIpInt: (f) => ({ name: "CN=NC IP Int", issuer: f.root, ca: true, nameConstraints: { excludedIp: ["10.0.0.0/8"] } }),
  leafNcIpBad: (f) => ({ name: "CN=db.example.com", issuer: f.ncIpInt, dns: ["db.example.com"], ip: ["10.0.0.5"] }),
  leafNcIpOk: (f) => ({ name: "CN=db.example.com", issuer: f.ncIpInt, dns: ["db.example.com"], ip: ["192.168.1.5"] }),
  ekuClientInt: (f) => ({ name: "CN=Client-only Int", issuer: f.root, ca: true, extKeyUsage: ["clientAuth"] }),
  leafViaEkuClient: (f) => ({ name: "CN=db.example.com", issuer: f.ekuClientInt, extKeyUsage: ["serverAuth"] }),
  ekuServerInt: (f) => ({ name: "CN=Server-only Int", issuer: f.root, ca: true, extKeyUsage: ["serverAuth"] }),
  leafViaEkuServer: (f) => ({ name: "CN=db.example.com", issuer: f.ekuServerInt, extKeyUsage: ["serverAuth"] }),
  expiredInt: (f) => ({ name: "CN=Expired Int", issuer: f.root, ca: true, notBeforeDays: -100, notAfterDays: -1 }),
  leafViaExpiredInt: (f) => ({ name: "CN=db.example.com", issuer: f.expiredInt, notBeforeDays: -50 }),
  futureInt: (f) => ({ name: "CN=Future Int", issuer: f.root, ca: true, notBeforeDays: 2 }),
  leafViaFutureInt: (f) => ({ name: "CN=db.example.com", issuer: f.futureInt }),
  futureRoot: () => ({ name: "CN=Future Root", notBeforeDays: 1 }),
  leafUnderFutureRoot: (f) => ({ name: "CN=db.example.com", issuer: f.futureRoot }),
  expiredRoot: () => ({ name: "CN=Expired Root", notBeforeDays: -400, notAfterDays: -1 }),
  leafUnderExpiredRoot: (f) => ({ name: "CN=db.example.com", issuer: f.expiredRoot, notBeforeDays: -10 }),
  leafCritical: (f) => ({
    name: "CN=db.example.com",
    issuer: f.root,
    extra: { oid: "1.3.6.1.4.1.55555.1", critical: true },
  }),
  leafNonCritical: (f) => ({
    name: "CN=db.example.com",
    issuer: f.root,
    extra: { oid: "1.3.6.1.4.1.55555.1", critical: false },
  }),
  criticalInt: (f) => ({
    name: "CN=Critical Ext Int",
    issuer: f.root,
    ca: true,
    extra: { oid: "1.3.6.1.4.1.55555.2", critical: true },
  }),
  leafViaCriticalInt: (f) => ({ name: "CN=db.example.com", issuer: f.criticalInt }),
  leafSelfSigned: () => ({
    name: "CN=self.example.com",
    ca: false,
    keyUsage: ["digitalSignature"],
    extKeyUsage: ["serverAuth"],
  }),
  rootBcNotCritical: () => ({ name: "CN=Root BC Not Critical", basicConstraintsCritical: false }),
  leafUnderBcNotCritical: (f) => ({ name: "CN=db.example.com", issuer: f.rootBcNotCritical }),
  leafNoAki: (f) => ({ name: "CN=db.example.com", issuer: f.root, authorityKeyId: "absent" }),
  leafAkiCritical: (f) => ({ name: "CN=db.example.com", issuer: f.root, authorityKeyId: "critical" }),
  rootNoKu: () => ({ name: "CN=Root Without Key Usage", keyUsage: null }),
  leafUnderNoKu: (f) => ({ name: "CN=db.example.com", issuer: f.rootNoKu }),
  intNoCertSign: (f) => ({
    name: "CN=Int Without keyCertSign",
    issuer: f.root,
    ca: true,
    keyUsage: ["digitalSignature", "cRLSign"],
  }),
  leafViaNoCertSign: (f) => ({ name: "CN=db.example.com", issuer: f.intNoCertSign }),
  intNotCa: (f) => ({ name: "CN=Int CA FALSE", issuer: f.root, ca: false }),
  leafViaNotCa: (f) => ({ name: "CN=db.example.com", issuer: f.intNotCa }),
  leafNotYet: (f) => ({ name: "CN=db.example.com", issuer: f.root, notBeforeDays: 1 }),
  leafExpired: (f) => ({ name: "CN=db.example.com", issuer: f.root, notBeforeDays: -30, notAfterDays: -1 }),
  leafKeyCertSign: (f) => ({
    name: "CN=db.example.com",
    issuer: f.root,
    ca: false,
    keyUsage: ["digitalSignature", "keyCertSign"],
  }),
  leafForged: (f) => ({ name: "CN=db.example.com", issuer: f.root, signWith: f.otherRoot?.keys }),
  leafOfSameNameRoot: (f) => ({ name: "CN=db.example.com", issuer: f.sameNameRoot }),
  rootEkuClient: () => ({ name: "CN=Root Client Only", extKeyUsage: ["clientAuth"] }),
  leafUnderRootEkuClient: (f) => ({ name: "CN=db.example.com", issuer: f.rootEkuClient, extKeyUsage: ["serverAuth"] }),
  anyEkuInt: (f) => ({ name: "CN=Any EKU Int", issuer: f.root, ca: true, extKeyUsage: ["2.5.29.37.0"] }),
  leafViaAnyEku: (f) => ({ name: "CN=db.example.com", issuer: f.anyEkuInt, extKeyUsage: ["serverAuth"] }),
  leafAnyEku: (f) => ({ name: "CN=db.example.com", issuer: f.root, extKeyUsage: ["2.5.29.37.0"] }),
  rootNoCrlSign: () => ({ name: "CN=Root Without cRLSign", keyUsage: ["keyCertSign"] }),
  leafUnderNoCrlSign: (f) => ({ name: "CN=db.example.com", issuer: f.rootNoCrlSign }),
  leafNoSan: (f) => ({ name: "CN=db.example.com", issuer: f.root, extKeyUsage: ["serverAuth"] }),
} satisfies Record<string, (f: Partial<Record<string, Fixture>>) => CertSpec>;

type Fixtures = { [K in keyof typeof SPECS]: Fixture } & { crl: Record<string, string> };

const ROWS: readonly Row[] = [
  {
    name: "a server certificate signed by the root",
    expect: 0,
    build: (f) => ({ leaf: f.leaf, ca: [f.root], purpose: "server" }),
  },
  {
    name: "a server certificate refused for the client purpose (EKU serverAuth only)",
    expect: 26,
    build: (f) => ({ leaf: f.leaf, ca: [f.root], purpose: "client" }),
  },
  {
    name: "a client certificate for the client purpose",
    expect: 0,
    build: (f) => ({ leaf: f.leafClient, ca: [f.root], purpose: "client" }),
  },
  {
    name: "a client certificate refused for the server purpose",
    expect: 26,
    build: (f) => ({ leaf: f.leafClient, ca: [f.root], purpose: "server" }),
  },
  { name: "without a purpose, EKU is not judged", expect: 0, build: (f) => ({ leaf: f.leafClient, ca: [f.root] }) },
  {
    name: "an intermediate from the leaf file completes the path",
    expect: 0,
    build: (f) => ({ leaf: f.leafViaInt, chain: [f.int], ca: [f.root], purpose: "server" }),
  },
  {
    name: "without the intermediate there is no path",
    expect: 20,
    build: (f) => ({ leaf: f.leafViaInt, ca: [f.root] }),
  },
  {
    name: "a CA file of several certificates: the root is the second",
    expect: 0,
    build: (f) => ({ leaf: f.leaf, ca: [f.otherRoot, f.root], purpose: "server" }),
  },
  {
    name: "an intermediate as the only trust anchor is not enough (no partial chain)",
    expect: 2,
    build: (f) => ({ leaf: f.leafViaInt, ca: [f.int] }),
  },
  {
    name: "an intermediate as anchor, its root only in the untrusted chain",
    expect: 2,
    build: (f) => ({ leaf: f.leafViaInt, chain: [f.root], ca: [f.int] }),
  },
  {
    name: "intermediate and root in the CA file",
    expect: 0,
    build: (f) => ({ leaf: f.leafViaInt, ca: [f.int, f.root] }),
  },
  {
    name: "pathlen:0 intermediate with another CA below it",
    expect: 25,
    build: (f) => ({ leaf: f.leafViaInt2, chain: [f.int2, f.int], ca: [f.root] }),
  },
  {
    name: "a CA without pathlen allows the path",
    expect: 0,
    build: (f) => ({ leaf: f.leafViaOpen, chain: [f.openInt], ca: [f.root], purpose: "server" }),
  },
  {
    name: "name constraints: DNS inside the permitted tree",
    expect: 0,
    build: (f) => ({ leaf: f.leafNcOk, chain: [f.ncDnsInt], ca: [f.root] }),
  },
  {
    name: "name constraints: a DNS SAN outside the permitted tree",
    expect: 47,
    build: (f) => ({ leaf: f.leafNcBad, chain: [f.ncDnsInt], ca: [f.root] }),
  },
  {
    name: "name constraints: CN outside the permitted tree, no DNS SAN",
    expect: 47,
    build: (f) => ({ leaf: f.leafNcCn, chain: [f.ncDnsInt], ca: [f.root] }),
  },
  {
    name: "name constraints: an IP SAN in an excluded subnet",
    expect: 48,
    build: (f) => ({ leaf: f.leafNcIpBad, chain: [f.ncIpInt], ca: [f.root] }),
  },
  {
    name: "name constraints: an IP SAN outside the excluded subnet",
    expect: 0,
    build: (f) => ({ leaf: f.leafNcIpOk, chain: [f.ncIpInt], ca: [f.root] }),
  },
  {
    name: "an intermediate whose EKU lacks serverAuth, for a server",
    expect: 26,
    build: (f) => ({ leaf: f.leafViaEkuClient, chain: [f.ekuClientInt], ca: [f.root], purpose: "server" }),
  },
  {
    name: "an intermediate whose EKU lacks serverAuth, no purpose",
    expect: 0,
    build: (f) => ({ leaf: f.leafViaEkuClient, chain: [f.ekuClientInt], ca: [f.root] }),
  },
  {
    name: "an intermediate with EKU serverAuth, for a server",
    expect: 0,
    build: (f) => ({ leaf: f.leafViaEkuServer, chain: [f.ekuServerInt], ca: [f.root], purpose: "server" }),
  },
  {
    name: "a root whose EKU lacks serverAuth, for a server",
    expect: 26,
    build: (f) => ({ leaf: f.leafUnderRootEkuClient, ca: [f.rootEkuClient], purpose: "server" }),
  },
  {
    name: "an intermediate with anyExtendedKeyUsage only, for a server",
    expect: 26,
    build: (f) => ({ leaf: f.leafViaAnyEku, chain: [f.anyEkuInt], ca: [f.root], purpose: "server" }),
  },
  {
    name: "a leaf with anyExtendedKeyUsage only, for a server",
    expect: 26,
    build: (f) => ({ leaf: f.leafAnyEku, ca: [f.root], purpose: "server" }),
  },
  {
    name: "an expired intermediate",
    expect: 10,
    build: (f) => ({ leaf: f.leafViaExpiredInt, chain: [f.expiredInt], ca: [f.root] }),
  },
  {
    name: "a not-yet-valid intermediate",
    expect: 9,
    build: (f) => ({ leaf: f.leafViaFutureInt, chain: [f.futureInt], ca: [f.root] }),
  },
  { name: "a not-yet-valid root", expect: 9, build: (f) => ({ leaf: f.leafUnderFutureRoot, ca: [f.futureRoot] }) },
  { name: "an expired root", expect: 10, build: (f) => ({ leaf: f.leafUnderExpiredRoot, ca: [f.expiredRoot] }) },
  { name: "an expired leaf", expect: 10, build: (f) => ({ leaf: f.leafExpired, ca: [f.root] }) },
  { name: "a not-yet-valid leaf", expect: 9, build: (f) => ({ leaf: f.leafNotYet, ca: [f.root] }) },
  {
    name: "an unknown critical extension on the leaf",
    expect: 34,
    build: (f) => ({ leaf: f.leafCritical, ca: [f.root] }),
  },
  {
    name: "an unknown non-critical extension on the leaf",
    expect: 0,
    build: (f) => ({ leaf: f.leafNonCritical, ca: [f.root] }),
  },
  {
    name: "an unknown critical extension on the intermediate",
    expect: 34,
    build: (f) => ({ leaf: f.leafViaCriticalInt, chain: [f.criticalInt], ca: [f.root] }),
  },
  {
    name: "a critical authority key identifier (OpenSSL does not handle it)",
    expect: 34,
    build: (f) => ({ leaf: f.leafAkiCritical, ca: [f.root] }),
  },
  {
    name: "a self-signed leaf not in the CA file",
    expect: 18,
    build: (f) => ({ leaf: f.leafSelfSigned, ca: [f.root] }),
  },
  {
    name: "a self-signed leaf that is the CA file",
    expect: 0,
    build: (f) => ({ leaf: f.leafSelfSigned, ca: [f.leafSelfSigned], purpose: "server" }),
  },
  {
    name: "strict: a CA whose basicConstraints is not critical",
    expect: 89,
    build: (f) => ({ leaf: f.leafUnderBcNotCritical, ca: [f.rootBcNotCritical] }),
  },
  {
    name: "strict: a leaf without authority key identifier",
    expect: 85,
    build: (f) => ({ leaf: f.leafNoAki, ca: [f.root] }),
  },
  { name: "strict: a CA without key usage", expect: 92, build: (f) => ({ leaf: f.leafUnderNoKu, ca: [f.rootNoKu] }) },
  {
    name: "an intermediate whose key usage lacks keyCertSign",
    expect: 79,
    build: (f) => ({ leaf: f.leafViaNoCertSign, chain: [f.intNoCertSign], ca: [f.root] }),
  },
  {
    name: "an intermediate with CA:FALSE",
    expect: 79,
    build: (f) => ({ leaf: f.leafViaNotCa, chain: [f.intNotCa], ca: [f.root] }),
  },
  {
    name: "strict: a non-CA leaf with keyCertSign",
    expect: 82,
    build: (f) => ({ leaf: f.leafKeyCertSign, ca: [f.root] }),
  },
  { name: "a signature made with another key", expect: 7, build: (f) => ({ leaf: f.leafForged, ca: [f.root] }) },
  {
    name: "a CA of the same name but another key",
    expect: 20,
    build: (f) => ({ leaf: f.leafOfSameNameRoot, ca: [f.root] }),
  },
  {
    name: "a leaf without SAN (the CN is only a name)",
    expect: 0,
    build: (f) => ({ leaf: f.leafNoSan, ca: [f.root], purpose: "server" }),
  },
  {
    name: "CRL: the leaf is revoked",
    expect: 23,
    build: (f) => ({ leaf: f.leaf, ca: [f.root], crls: [f.crl.rootRevokesLeaf as string] }),
  },
  {
    name: "CRL: the leaf is not on the root's CRL",
    expect: 0,
    build: (f) => ({ leaf: f.leaf, ca: [f.root], crls: [f.crl.rootEmpty as string], purpose: "server" }),
  },
  {
    name: "CRL: the root's CRL has expired",
    expect: 12,
    build: (f) => ({ leaf: f.leaf, ca: [f.root], crls: [f.crl.rootExpired as string] }),
  },
  {
    name: "CRL: the root's CRL is not valid yet",
    expect: 11,
    build: (f) => ({ leaf: f.leaf, ca: [f.root], crls: [f.crl.rootFuture as string] }),
  },
  {
    name: "CRL: another CA's CRL of the same name does not cover the leaf",
    expect: 3,
    build: (f) => ({ leaf: f.leaf, ca: [f.root], crls: [f.crl.sameNameRoot as string] }),
  },
  {
    name: "CRL: only the root's CRL for a leaf under an intermediate",
    expect: 3,
    build: (f) => ({ leaf: f.leafViaInt, chain: [f.int], ca: [f.root], crls: [f.crl.rootEmpty as string] }),
  },
  {
    name: "CRL: root's and intermediate's CRLs, nothing revoked",
    expect: 0,
    build: (f) => ({
      leaf: f.leafViaInt,
      chain: [f.int],
      ca: [f.root],
      crls: [f.crl.rootEmpty as string, f.crl.intEmpty as string],
    }),
  },
  {
    name: "CRL: the intermediate is revoked by the root",
    expect: 23,
    build: (f) => ({
      leaf: f.leafViaInt,
      chain: [f.int],
      ca: [f.root],
      crls: [f.crl.rootRevokesInt as string, f.crl.intEmpty as string],
    }),
  },
  {
    name: "CRL: from a CA whose key usage lacks cRLSign",
    expect: 35,
    build: (f) => ({ leaf: f.leafUnderNoCrlSign, ca: [f.rootNoCrlSign], crls: [f.crl.noCrlSign] }),
  },
  {
    name: "CRL: the leaf is revoked by the intermediate",
    expect: 23,
    build: (f) => ({
      leaf: f.leafViaInt,
      chain: [f.int],
      ca: [f.root],
      crls: [f.crl.rootEmpty as string, f.crl.intRevokesLeaf as string],
    }),
  },
];

interface Verdict {
  readonly error: number;
  readonly depth: number;
  readonly words: string;
}

function opensslVerify(
  dir: string,
  files: { leaf: string; ca: string; untrusted?: string; crl?: string },
  purpose: Purpose | undefined,
  strict: boolean,
): Verdict {
  const args = [
    "verify",
    ...(strict ? ["-x509_strict"] : []),
    "-attime",
    String(AT.getTime() / 1000),
    "-CAfile",
    files.ca,
  ];
  if (purpose) args.push("-purpose", purpose === "server" ? "sslserver" : "sslclient");
  if (files.untrusted) args.push("-untrusted", files.untrusted);
  if (files.crl) args.push("-CRLfile", files.crl, "-crl_check_all");
  args.push(files.leaf);
  const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (run.status === 0) return { error: 0, depth: 0, words: "OK" };
  const match = /error (\d+) at (\d+) depth lookup: (.*)/.exec(run.stderr);
  assert.ok(match, `openssl verify said neither OK nor an error: ${run.stderr}${run.stdout}`);
  return { error: Number(match[1]), depth: Number(match[2]), words: match[3] as string };
}

const pemDer = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");

describe("cert verify decides as openssl verify -x509_strict", { concurrency: false }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const fixtures = { crl: {} } as Fixtures;

  before(async () => {
    ({ dir, cleanup } = await tempDir("pgwarden-verify-"));
    const built: Partial<Record<string, Fixture>> = {};
    for (const [name, spec] of Object.entries(SPECS)) built[name] = await makeCertificate(spec(built), AT);
    Object.assign(fixtures, built);
    const f = fixtures;
    const crl = fixtures.crl;
    crl.rootEmpty = await makeCrl({ issuer: f.root }, AT);
    crl.rootRevokesLeaf = await makeCrl({ issuer: f.root, revoked: [f.leaf] }, AT);
    crl.rootRevokesInt = await makeCrl({ issuer: f.root, revoked: [f.int] }, AT);
    crl.rootExpired = await makeCrl({ issuer: f.root, thisUpdateDays: -10, nextUpdateDays: -1 }, AT);
    crl.rootFuture = await makeCrl({ issuer: f.root, thisUpdateDays: 1, nextUpdateDays: 8 }, AT);
    crl.sameNameRoot = await makeCrl({ issuer: f.sameNameRoot }, AT);
    crl.noCrlSign = await makeCrl({ issuer: f.rootNoCrlSign }, AT);
    crl.intEmpty = await makeCrl({ issuer: f.int }, AT);
    crl.intRevokesLeaf = await makeCrl({ issuer: f.int, revoked: [f.leafViaInt] }, AT);
  });
  after(async () => cleanup());

  ROWS.forEach((row, index) => {
    test(`${row.name}: pgwarden and OpenSSL agree`, async () => {
      const c = row.build(fixtures);
      const base = join(dir, `row-${index}`);
      const files = {
        leaf: `${base}-leaf.pem`,
        ca: `${base}-ca.pem`,
        untrusted: c.chain?.length ? `${base}-chain.pem` : undefined,
        crl: c.crls?.length ? `${base}.crl` : undefined,
      };
      await writeFile(files.leaf, c.leaf.pem);
      await writeFile(files.ca, c.ca.map((cert) => cert.pem).join(""));
      if (files.untrusted) await writeFile(files.untrusted, (c.chain ?? []).map((cert) => cert.pem).join(""));
      if (files.crl) await writeFile(files.crl, (c.crls ?? []).join("\n"));

      const openssl = opensslVerify(dir, files, c.purpose, true);
      assert.equal(
        openssl.error,
        row.expect,
        `the table says OpenSSL answers ${row.expect}; it said: ${openssl.words}`,
      );
      // Without -x509_strict, as libssl clients (libpq) verify: pgwarden's strict: false must agree too.
      for (const strict of [true, false]) {
        const reference = strict ? openssl : opensslVerify(dir, files, c.purpose, false);
        const result = verifyCertificate(c.leaf.der, {
          roots: c.ca.map((cert) => cert.der),
          intermediates: (c.chain ?? []).map((cert) => cert.der),
          crls: (c.crls ?? []).map(pemDer),
          purpose: c.purpose,
          strict,
          now: AT,
        });
        const mode = strict ? "-x509_strict" : "without -x509_strict";
        assert.equal(
          result.ok,
          reference.error === 0,
          `${mode}: pgwarden ${result.ok ? "verified" : `refused (${result.reason})`}, OpenSSL said: ${reference.words}`,
        );
        if (reference.error !== 0) {
          const ours = { error: result.openssl?.error, depth: result.openssl?.depth };
          assert.deepEqual(
            ours,
            { error: reference.error, depth: reference.depth },
            `${mode}: pgwarden: ${result.reason}; OpenSSL: ${reference.words}`,
          );
          assert.ok(
            result.reason?.startsWith(reference.words),
            `the reason leads with OpenSSL's words "${reference.words}": ${result.reason}`,
          );
        }
      }
    });
  });

  test("the CLI: a CA file of several certificates, a chain in the leaf file, --crl, --at", async () => {
    const f = fixtures;
    const ca = join(dir, "cli-ca.pem");
    await writeFile(ca, f.otherRoot.pem + f.root.pem);
    const chainFile = join(dir, "cli-leaf-chain.crt");
    await writeFile(chainFile, f.leafViaInt.pem + f.int.pem);
    const at = ["--at", AT.toISOString()];
    const okRun = await pgwarden(["cert", "verify", chainFile, "--ca", ca, "--purpose", "server", ...at]);
    assert.equal(okRun.code, 0, okRun.stderr + okRun.stdout);

    const crls = join(dir, "cli.crl");
    await writeFile(crls, `${f.crl.rootEmpty as string}\n${f.crl.intRevokesLeaf as string}\n`);
    const revoked = await pgwarden(["cert", "verify", chainFile, "--ca", ca, "--crl", crls, ...at, "--format", "json"]);
    assert.equal(revoked.code, 1, revoked.stderr + revoked.stdout);
    const json = JSON.parse(revoked.stdout) as { ok: boolean; reason: string; openssl: { error: number } };
    assert.equal(json.ok, false);
    assert.equal(json.openssl.error, 23);
    assert.match(json.reason, /^certificate revoked/);

    const later = await pgwarden([
      "cert",
      "verify",
      chainFile,
      "--ca",
      ca,
      "--at",
      new Date(AT.getTime() + 400 * 86_400_000).toISOString(),
    ]);
    assert.equal(later.code, 1);
    assert.match(later.stderr, /certificate has expired/);
  });

  test("the CLI: a key beside the certificate, or given with --key, must match it", async () => {
    const f = fixtures;
    const ca = join(dir, "key-ca.pem");
    await writeFile(ca, f.root.pem);
    const cert = join(dir, "pg-1.crt");
    await writeFile(cert, f.leaf.pem);
    await writeFile(join(dir, "pg-1.key"), await privateKeyPem(f.leaf.keys), { mode: 0o600 });
    const at = ["--at", AT.toISOString()];
    const matching = await pgwarden(["cert", "verify", cert, "--ca", ca, ...at]);
    assert.equal(matching.code, 0, matching.stderr + matching.stdout);
    assert.match(matching.stdout, /ok\s+key\s+.*pg-1\.key is its private key/);

    const other = join(dir, "other.key");
    await writeFile(other, await privateKeyPem(await makeKeys()), { mode: 0o600 });
    const mismatch = await pgwarden(["cert", "verify", cert, "--ca", ca, "--key", other, ...at]);
    assert.equal(mismatch.code, 1, mismatch.stderr + mismatch.stdout);
    assert.match(mismatch.stderr, /other\.key is not the private key of this certificate/);
    // OpenSSL agrees: the key's public half is not the certificate's.
    const certKey = spawnSync("openssl", ["x509", "-noout", "-pubkey", "-in", cert], { encoding: "utf8" }).stdout;
    const otherKey = spawnSync("openssl", ["pkey", "-pubout", "-in", other], { encoding: "utf8" }).stdout;
    assert.notEqual(certKey, otherKey);

    await writeFile(join(dir, "pg-1.key"), await privateKeyPem(await makeKeys()), { mode: 0o600 });
    const besideWrong = await pgwarden(["cert", "verify", cert, "--ca", ca, ...at]);
    assert.equal(besideWrong.code, 1, "a wrong key beside the certificate refuses it");

    const encrypted = join(dir, "encrypted.key");
    const { createPrivateKey } = await import("node:crypto");
    const plain = createPrivateKey(await privateKeyPem(f.leaf.keys));
    await writeFile(
      encrypted,
      plain.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "not-asked-for" }),
      { mode: 0o600 },
    );
    const unchecked = await pgwarden(["cert", "verify", cert, "--ca", ca, "--key", encrypted, ...at]);
    assert.equal(unchecked.code, 0, "an encrypted key is reported, not a refusal");
    assert.match(unchecked.stdout, /skip\s+key\s+not checked: .*encrypted\.key cannot be read \(it is encrypted\)/);

    const missing = await pgwarden(["cert", "verify", cert, "--ca", ca, "--key", join(dir, "nope.key"), ...at]);
    assert.equal(missing.code, 4, missing.stderr);
    const notKey = await pgwarden(["cert", "verify", cert, "--ca", ca, "--key", ca, ...at]);
    assert.equal(notKey.code, 2, notKey.stderr);
    assert.match(notKey.stderr, /holds no PEM private key/);
  });

  test("the CLI: the CRL in <pki>/crl is read by default, and a certificate it revokes is refused, as openssl -crl_check_all refuses it", async () => {
    const pki = join(dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    const issued = await pgwarden([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "server",
      "--cn",
      "pg-1",
      "--san",
      "10.0.0.5",
      "--format",
      "json",
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    const certPath = (JSON.parse(issued.stdout) as { issued: [{ certPath: string }] }).issued[0].certPath;
    const caCrt = join(pki, "ca", "ca.crt");
    assert.equal(
      (await pgwarden(["cert", "verify", certPath, "--pki", pki, "--purpose", "server"])).code,
      0,
      "no CRL yet: verified",
    );

    // The CA's CRL revoking it, signed with the CA's key, where pg tls installs it from.
    const x509 = x509Lib();
    const caKeyDer = Buffer.from(
      (await readFile(join(pki, "ca", "ca.key"), "utf8")).replace(/-----[^-]+-----|\s/g, ""),
      "base64",
    );
    const signingKey = await webcrypto.subtle.importKey(
      "pkcs8",
      caKeyDer,
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    const ca = new x509.X509Certificate(await readFile(caCrt, "utf8"));
    const leaf = new x509.X509Certificate(await readFile(certPath, "utf8"));
    const crl = await x509.X509CrlGenerator.create({
      issuer: ca.subject,
      thisUpdate: new Date(Date.now() - 3_600_000),
      nextUpdate: new Date(Date.now() + 7 * 86_400_000),
      entries: [
        {
          serialNumber: leaf.serialNumber,
          revocationDate: new Date(Date.now() - 60_000),
          reason: x509.X509CrlReason.keyCompromise,
        },
      ],
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
      signingKey,
    });
    await mkdir(join(pki, "crl"), { recursive: true });
    const crlPath = join(pki, "crl", "ca.crl");
    await writeFile(crlPath, x509.PemConverter.encode(crl.rawData, "X509 CRL"));

    const openssl = spawnSync(
      "openssl",
      [
        "verify",
        "-x509_strict",
        "-purpose",
        "sslserver",
        "-CAfile",
        caCrt,
        "-CRLfile",
        crlPath,
        "-crl_check_all",
        certPath,
      ],
      { encoding: "utf8" },
    );
    assert.match(openssl.stderr, /error 23 at 0 depth lookup: certificate revoked/);
    const refused = await pgwarden([
      "cert",
      "verify",
      certPath,
      "--pki",
      pki,
      "--purpose",
      "server",
      "--format",
      "json",
    ]);
    assert.equal(refused.code, 1, refused.stderr + refused.stdout);
    const json = JSON.parse(refused.stdout) as { reason: string; crls: string[]; openssl: { error: number } };
    assert.deepEqual(json.crls, [crlPath]);
    assert.equal(json.openssl.error, 23);
    assert.match(
      json.reason,
      /^certificate revoked: the certificate: serial [0-9A-F]+ is on the CRL of CN=pgwarden-ca/,
    );
  });

  test("the CLI: a missing file is exit 4, a file that is not PEM exit 2, each in one line", async () => {
    const notPem = join(dir, "not-pem.crt");
    await writeFile(notPem, "hello\n");
    const good = join(dir, "good-leaf.crt");
    await writeFile(good, fixtures.leaf.pem);
    const ca = join(dir, "good-ca.crt");
    await writeFile(ca, fixtures.root.pem);
    const cases: { args: string[]; code: number; message: RegExp }[] = [
      {
        args: [join(dir, "absent.crt"), "--ca", ca],
        code: 4,
        message: /certificate file .*absent\.crt does not exist/,
      },
      { args: [notPem, "--ca", ca], code: 2, message: /not-pem\.crt holds no complete PEM block/ },
      { args: [good, "--ca", join(dir, "absent-ca.crt")], code: 4, message: /absent-ca\.crt does not exist/ },
      { args: [good, "--ca", notPem], code: 2, message: /not-pem\.crt holds no complete PEM block/ },
      { args: [good, "--ca", ca, "--crl", good], code: 2, message: /holds no complete PEM block \(BEGIN X509 CRL\)/ },
      {
        args: [good, "--ca", ca, "--untrusted", join(dir, "absent-chain.crt")],
        code: 4,
        message: /absent-chain\.crt does not exist/,
      },
      { args: [good, "--ca", ca, "--at", "yesterday-ish"], code: 2, message: /--at yesterday-ish is not a time/ },
    ];
    for (const c of cases) {
      const run = await pgwarden(["cert", "verify", ...c.args]);
      assert.equal(run.code, c.code, `${c.args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, c.message);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert.equal(run.stdout, "");
    }
  });
});
