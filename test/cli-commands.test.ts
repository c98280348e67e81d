/*
 * The CLI commands, end to end, each result checked with the `openssl` CLI as an
 * independent witness: ca init/show, cert issue (one and a fleet), sign, inspect,
 * verify, list (including a Pigsty files/pki made by openssl alone), export and trust
 * (quickstart has its own test, test/quickstart.test.ts).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, lstat, mkdir, readdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { after, before, describe, test } from "node:test";

import { type CliResult, pgwarden, snapshot, tempDir } from "./support/cli.js";

// ---------------------------------------------------------------------------
// JSON shapes printed by pgwarden --format json (only the fields the tests read)

interface CertInfoJson {
  subject: string;
  commonName: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  keyUsage: string[];
  extendedKeyUsage: string[];
  basicConstraints: { ca: boolean; pathLength: number | null };
  keyType: string;
  keyBits: number;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  fingerprintSha256: string;
  fingerprintSha1: string;
}

interface CaInitJson {
  action: string;
  certPath: string;
  keyPath: string;
  keyEncrypted: boolean;
  certificate: CertInfoJson;
}

interface CaShowJson {
  certPath: string;
  keyPath: string;
  certificate: CertInfoJson;
}

interface IssueJson {
  serial: string;
  subject: string;
  subjectAltNames: string[];
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  keyType: string;
  keyPath: string | null;
  certPath: string;
}

interface ListEntry {
  serial: string;
  commonName: string;
  profile: string;
  origin: string;
  notAfter: string;
  status: string;
  path: string;
}

interface VerifyJson {
  ok: boolean;
  reason?: string;
  checks: { name: string; ok: boolean; detail: string }[];
}

// ---------------------------------------------------------------------------
// helpers

const DAY_MS = 86_400_000;

/** pgwarden must succeed; the message carries its stderr so a failure explains itself. */
function ok(result: CliResult, what: string): CliResult {
  assert.equal(result.code, 0, `${what} exited ${result.code}\nstderr: ${result.stderr}\nstdout: ${result.stdout}`);
  return result;
}

/** stdout must be exactly one JSON document. */
function parseJson<T>(result: CliResult): T {
  const value: unknown = JSON.parse(result.stdout);
  return value as T;
}

/** `cert issue --cn`'s certificate: always in `issued`, as for --cn-file. */
const issuedJson = (result: CliResult): IssueJson => parseJson<{ issued: IssueJson[] }>(result).issued[0] as IssueJson;
/** `cert list`'s entries: `certificates`. */
const listJson = (result: CliResult): ListEntry[] => parseJson<{ certificates: ListEntry[] }>(result).certificates;
/** `cert inspect` of a one-certificate file: `certificates[0]`. */
const inspectJson = (result: CliResult): CertInfoJson =>
  parseJson<{ certificates: CertInfoJson[] }>(result).certificates[0] as CertInfoJson;

interface OpensslRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function opensslRun(args: readonly string[], cwd?: string): OpensslRun {
  const run = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs openssl and returns its stdout; a failure fails the test with openssl's stderr. */
function openssl(args: readonly string[], cwd?: string): string {
  const run = opensslRun(args, cwd);
  assert.equal(run.status, 0, `openssl ${args.join(" ")} failed: ${run.stderr}`);
  return run.stdout;
}

const sslFingerprint = (cert: string, digest: "sha256" | "sha1") =>
  (openssl(["x509", "-noout", "-fingerprint", `-${digest}`, "-in", cert]).split("=")[1] ?? "").trim().toUpperCase();
const sslSerial = (cert: string) =>
  openssl(["x509", "-noout", "-serial", "-in", cert])
    .trim()
    .replace(/^serial=/, "")
    .toLowerCase();
/** "O = pigsty, OU = ca, CN = pigsty-ca" made comparable with pgwarden's "O=pigsty, OU=ca, CN=pigsty-ca". */
const sslName = (cert: string, which: "subject" | "issuer") =>
  openssl(["x509", "-noout", `-${which}`, "-nameopt", "oneline", "-in", cert])
    .trim()
    .replace(new RegExp(`^${which}=`), "")
    .replace(/ = /g, "=");
const sslDate = (cert: string, which: "startdate" | "enddate") =>
  new Date(
    openssl(["x509", "-noout", `-${which}`, "-in", cert])
      .trim()
      .replace(/^not(Before|After)=/, ""),
  );
const certPubkey = (cert: string) => openssl(["x509", "-noout", "-pubkey", "-in", cert]);
const keyPubkey = (key: string, extra: readonly string[] = []) => openssl(["pkey", "-pubout", "-in", key, ...extra]);

/** The value lines of one X.509v3 extension as openssl prints them ("" when absent), plus its header line. */
function sslExt(cert: string, name: string): { header: string; value: string } {
  const lines = openssl(["x509", "-noout", "-ext", name, "-in", cert]).split("\n");
  const header = lines[0] ?? "";
  return {
    header,
    value: lines
      .slice(1)
      .map((line) => line.trim())
      .filter(Boolean)
      .join(", "),
  };
}

/** Asserts `openssl verify -x509_strict` accepts each certificate against `caFile` (for `purpose`, when given). */
function assertOpensslVerifies(caFile: string, certs: readonly string[], purpose?: "sslserver" | "sslclient"): void {
  const args = ["verify", "-x509_strict", ...(purpose ? ["-purpose", purpose] : []), "-CAfile", caFile, ...certs];
  const out = openssl(args);
  const okLines = out.split("\n").filter((line) => line.endsWith(": OK"));
  assert.equal(okLines.length, certs.length, `openssl verify: ${out}`);
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

const OPENSSL_KEY_USAGE: Record<string, string> = {
  "Digital Signature": "digitalSignature",
  "Non Repudiation": "nonRepudiation",
  "Key Encipherment": "keyEncipherment",
  "Data Encipherment": "dataEncipherment",
  "Key Agreement": "keyAgreement",
  "Certificate Sign": "keyCertSign",
  "CRL Sign": "cRLSign",
};
const OPENSSL_EKU: Record<string, string> = {
  "TLS Web Server Authentication": "serverAuth",
  "TLS Web Client Authentication": "clientAuth",
  "Code Signing": "codeSigning",
  "E-mail Protection": "emailProtection",
};
const mapNames = (value: string, table: Record<string, string>) =>
  value ? value.split(", ").map((name) => table[name] ?? `unknown:${name}`) : [];

/** Makes a PEM CSR (and its key) with openssl; returns the CSR path. */
function opensslCsr(dir: string, name: string, subject: string, extensions: readonly string[]): string {
  const csr = join(dir, `${name}.csr`);
  openssl([
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    join(dir, `${name}.key`),
    "-subj",
    subject,
    ...extensions.flatMap((ext) => ["-addext", ext]),
    "-out",
    csr,
  ]);
  return csr;
}

// ---------------------------------------------------------------------------

function caSuite(): void {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let caCrt: string;
  let caKey: string;
  let created: CaInitJson;

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    pki = join(dir, "pki");
    caCrt = join(pki, "ca", "ca.crt");
    caKey = join(pki, "ca", "ca.key");
    // The only RSA key pgwarden makes in this file.
    created = parseJson<CaInitJson>(
      ok(
        await pgwarden([
          "ca",
          "init",
          "--pki",
          pki,
          "--org",
          "pigsty",
          "--ou",
          "ca",
          "--cn",
          "pigsty-ca",
          "--key-type",
          "rsa-2048",
          "--format",
          "json",
        ]),
        "ca init",
      ),
    );
  });
  after(() => cleanup());

  test("creates an RSA-2048 root whose subject openssl reads as O/OU/CN, with a 0600 key that matches it", async () => {
    assert.equal(created.action, "created");
    assert.equal(created.certPath, caCrt);
    assert.equal(created.keyPath, caKey);
    assert.equal(created.keyEncrypted, false);
    assert.match(
      openssl(["x509", "-noout", "-subject", "-in", caCrt]),
      /O\s*=\s*pigsty,\s*OU\s*=\s*ca,\s*CN\s*=\s*pigsty-ca/,
    );
    assert.equal(await modeOf(caKey), 0o600);
    assert.match(openssl(["pkey", "-in", caKey, "-noout", "-text"]), /Private-Key: \(2048 bit/);
    assert.equal(keyPubkey(caKey), certPubkey(caCrt), "ca.key is the key of ca.crt");
  });

  test("the root has critical CA:TRUE pathlen:1, CA key usage, SKI and AKI (openssl x509 -text)", () => {
    const text = openssl(["x509", "-noout", "-text", "-in", caCrt]);
    assert.match(text, /X509v3 Basic Constraints: critical\s*\n\s*CA:TRUE, pathlen:1\s*\n/);
    assert.match(text, /X509v3 Key Usage: critical\s*\n\s*Digital Signature, Certificate Sign, CRL Sign\s*\n/);
    assert.match(text, /Public Key Algorithm: rsaEncryption/);
    assert.match(text, /Public-Key: \(2048 bit\)/);
    const ski = /X509v3 Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(text)?.[1];
    const aki = /X509v3 Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1];
    assert.ok(ski, `no Subject Key Identifier in\n${text}`);
    assert.ok(aki, `no Authority Key Identifier in\n${text}`);
    assert.equal(aki, ski, "a self-signed root names itself as its authority");
    assert.equal(created.certificate.subjectKeyId, ski);
    // Self-signed and acceptable as a trust anchor.
    assertOpensslVerifies(caCrt, [caCrt]);
  });

  test("ca show --format json gives openssl's subject, serial and SHA-256 fingerprint", async () => {
    const shown = parseJson<CaShowJson>(
      ok(await pgwarden(["ca", "show", "--pki", pki, "--format", "json"]), "ca show"),
    );
    assert.equal(shown.certPath, caCrt);
    assert.equal(shown.certificate.subject, "O=pigsty, OU=ca, CN=pigsty-ca");
    assert.equal(shown.certificate.subject, sslName(caCrt, "subject"));
    assert.equal(shown.certificate.fingerprintSha256.toUpperCase(), sslFingerprint(caCrt, "sha256"));
    assert.equal(shown.certificate.serial.toLowerCase(), sslSerial(caCrt));
    assert.equal(shown.certificate.keyType, "rsa-2048");
    assert.deepEqual(shown.certificate.basicConstraints, { ca: true, pathLength: 1 });
  });

  test("cert inspect on the root agrees with openssl (RSA key, CA constraints, fingerprints)", async () => {
    const info = inspectJson(ok(await pgwarden(["cert", "inspect", caCrt, "--format", "json"]), "cert inspect"));
    assert.equal(info.subject, sslName(caCrt, "subject"));
    assert.equal(info.issuer, sslName(caCrt, "issuer"));
    assert.equal(info.keyType, "rsa-2048");
    assert.equal(info.keyBits, 2048);
    assert.deepEqual(info.keyUsage.slice().sort(), mapNames(sslExt(caCrt, "keyUsage").value, OPENSSL_KEY_USAGE).sort());
    assert.deepEqual(info.basicConstraints, { ca: true, pathLength: 1 });
    assert.equal(info.fingerprintSha1.toUpperCase(), sslFingerprint(caCrt, "sha1"));
  });

  test("a second ca init adopts the existing CA and leaves its files alone", async () => {
    const keyBefore = await readFile(caKey);
    const certBefore = await readFile(caCrt);
    const again = parseJson<CaInitJson>(
      ok(await pgwarden(["ca", "init", "--pki", pki, "--format", "json"]), "second ca init"),
    );
    assert.equal(again.action, "adopted");
    assert.equal(again.certificate.fingerprintSha256, created.certificate.fingerprintSha256);
    assert.ok((await readFile(caKey)).equals(keyBefore), "ca.key unchanged");
    assert.ok((await readFile(caCrt)).equals(certBefore), "ca.crt unchanged");
  });

  test("--passphrase-file encrypts the key; issuing needs the passphrase (env, not argv)", async () => {
    const encPki = join(dir, "encrypted");
    const passFile = join(dir, "ca-pass");
    await writeFile(passFile, "correct horse battery staple\nsecond line is ignored\n", { mode: 0o600 });
    const init = parseJson<CaInitJson>(
      ok(
        await pgwarden(["ca", "init", "--pki", encPki, "--passphrase-file", passFile, "--format", "json"]),
        "ca init --passphrase-file",
      ),
    );
    assert.equal(init.keyEncrypted, true);
    const encKey = join(encPki, "ca", "ca.key");
    const encCrt = join(encPki, "ca", "ca.crt");
    const pem = await readFile(encKey, "utf8");
    assert.ok(pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), pem.slice(0, 60));
    assert.equal(await modeOf(encKey), 0o600);
    // openssl opens it with the first line of the file as the passphrase, and not without it.
    openssl(["pkey", "-in", encKey, "-passin", `file:${passFile}`, "-noout"]);
    assert.notEqual(opensslRun(["pkey", "-in", encKey, "-passin", "pass:wrong", "-noout"]).status, 0);
    assert.equal(keyPubkey(encKey, ["-passin", `file:${passFile}`]), certPubkey(encCrt));

    const before = await snapshot(encPki);
    const without = await pgwarden(["cert", "issue", "--pki", encPki, "--profile", "client", "--cn", "u1"]);
    assert.equal(without.code, 7, without.stderr);
    assert.match(without.stderr, /passphrase/i);
    const wrong = await pgwarden(["cert", "issue", "--pki", encPki, "--profile", "client", "--cn", "u1"], {
      env: { PGWARDEN_CA_PASSPHRASE: "not the passphrase" },
    });
    assert.equal(wrong.code, 7, wrong.stderr);
    assert.deepEqual(await snapshot(encPki), before, "a refused issue writes nothing");

    const withEnv = await pgwarden(["cert", "issue", "--pki", encPki, "--profile", "client", "--cn", "u1"], {
      env: { PGWARDEN_CA_PASSPHRASE: "correct horse battery staple" },
    });
    ok(withEnv, "cert issue with PGWARDEN_CA_PASSPHRASE");
    assertOpensslVerifies(encCrt, [join(encPki, "client", "u1.crt")], "sslclient");
  });

  test("a CA key readable by others is refused (exit 7, chmod 600) unless --insecure", async () => {
    await chmod(caKey, 0o644);
    try {
      const before = await snapshot(pki);
      const refused = await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "u1"]);
      assert.equal(refused.code, 7, refused.stderr);
      assert.match(refused.stderr, /chmod 600/);
      assert.ok(refused.stderr.includes(caKey), refused.stderr);
      assert.deepEqual(await snapshot(pki), before, "a refused issue writes nothing");
      ok(
        await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "u1", "--insecure"]),
        "cert issue --insecure",
      );
      assertOpensslVerifies(caCrt, [join(pki, "client", "u1.crt")], "sslclient");
    } finally {
      await chmod(caKey, 0o600);
    }
  });
}

// ---------------------------------------------------------------------------

function leafSuite(): void {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let caCrt: string;
  let server: IssueJson;
  const serverArgs = [
    "cert",
    "issue",
    "--profile",
    "server",
    "--cn",
    "pg-1",
    "--san",
    "pg-1.example.com",
    "--san",
    "10.0.0.5",
    "--san",
    "2001:db8::5",
  ];

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    pki = join(dir, "pki");
    caCrt = join(pki, "ca", "ca.crt");
    ok(await pgwarden(["ca", "init", "--pki", pki]), "ca init");
    server = issuedJson(ok(await pgwarden([...serverArgs, "--pki", pki, "--format", "json"]), "cert issue server"));
  });
  after(() => cleanup());

  test("cert issue --profile server: JSON fields, 0600 key, SANs, serial and dates as openssl reads them", async () => {
    for (const field of [
      "serial",
      "subject",
      "notBefore",
      "notAfter",
      "fingerprintSha256",
      "keyType",
      "keyPath",
      "certPath",
    ] as const) {
      assert.equal(typeof server[field], "string", `${field} in ${JSON.stringify(server)}`);
      assert.notEqual(server[field], "", field);
    }
    assert.ok(Array.isArray(server.subjectAltNames));
    assert.equal(server.subject, "CN=pg-1");
    // The CN is a SAN too, after the given ones (libpq ignores the CN beside a DNS SAN).
    assert.deepEqual(server.subjectAltNames, ["DNS:pg-1.example.com", "IP:10.0.0.5", "IP:2001:db8::5", "DNS:pg-1"]);
    assert.equal(server.keyType, "ec-p256");
    assert.equal(server.certPath, join(pki, "server", "pg-1.crt"));
    assert.equal(server.keyPath, join(pki, "server", "pg-1.key"));
    const crt = server.certPath;
    const key = server.keyPath ?? "";
    assert.equal(await modeOf(key), 0o600);

    const san = sslExt(crt, "subjectAltName").value;
    assert.match(san, /DNS:pg-1\.example\.com/);
    assert.match(san, /IP Address:10\.0\.0\.5(,|$)/);
    assert.match(san, /IP Address:(2001:DB8:0:0:0:0:0:5|2001:db8::5)(,|$)/i);
    assert.match(san, /, DNS:pg-1$/);
    assert.equal(san.split(", ").length, 4, san);
    assert.equal(server.serial.toLowerCase(), sslSerial(crt));
    assert.equal(server.fingerprintSha256.toUpperCase(), sslFingerprint(crt, "sha256"));
    assert.equal(new Date(server.notBefore).getTime(), sslDate(crt, "startdate").getTime());
    assert.equal(new Date(server.notAfter).getTime(), sslDate(crt, "enddate").getTime());
    assert.equal(sslName(crt, "subject"), "CN=pg-1");
    assert.equal(keyPubkey(key), certPubkey(crt), "the key file is the certificate's key");
    assertOpensslVerifies(caCrt, [crt], "sslserver");
  });

  test("--days 30 gives a notAfter 30 days from now (and openssl -checkend agrees)", async () => {
    const issued = issuedJson(
      ok(
        await pgwarden([
          "cert",
          "issue",
          "--pki",
          pki,
          "--profile",
          "client",
          "--cn",
          "thirty",
          "--days",
          "30",
          "--format",
          "json",
        ]),
        "cert issue --days 30",
      ),
    );
    const expected = Date.now() + 30 * DAY_MS;
    assert.ok(
      Math.abs(new Date(issued.notAfter).getTime() - expected) < 10 * 60_000,
      `notAfter ${issued.notAfter}, expected about ${new Date(expected).toISOString()}`,
    );
    assert.equal(new Date(issued.notAfter).getTime(), sslDate(issued.certPath, "enddate").getTime());
    const hour = 3600;
    assert.equal(
      opensslRun(["x509", "-noout", "-checkend", String(30 * 86_400 - hour), "-in", issued.certPath]).status,
      0,
      "still valid 30 days minus an hour from now",
    );
    assert.equal(
      opensslRun(["x509", "-noout", "-checkend", String(30 * 86_400 + hour), "-in", issued.certPath]).status,
      1,
      "expired 30 days plus an hour from now",
    );
  });

  test("issuing the same name again exits 2 and keeps the files; --force replaces them with a new serial", async () => {
    const crt = join(pki, "server", "pg-1.crt");
    const key = join(pki, "server", "pg-1.key");
    const crtBefore = await readFile(crt);
    const keyBefore = await readFile(key);
    const again = await pgwarden([...serverArgs, "--pki", pki]);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /already exists/);
    assert.ok(
      (await readFile(crt)).equals(crtBefore) && (await readFile(key)).equals(keyBefore),
      "nothing replaced without --force",
    );

    const forced = issuedJson(
      ok(await pgwarden([...serverArgs, "--pki", pki, "--force", "--format", "json"]), "cert issue --force"),
    );
    assert.notEqual(forced.serial.toLowerCase(), server.serial.toLowerCase());
    assert.equal(sslSerial(crt), forced.serial.toLowerCase());
    assert.ok(!(await readFile(key)).equals(keyBefore), "a new key");
    assert.equal(keyPubkey(key), certPubkey(crt));
    assertOpensslVerifies(caCrt, [crt], "sslserver");
    server = forced;
  });

  test("cert sign: SANs kept and added, key usage and EKU from the profile not the CSR, the CSR's key, no key file", async () => {
    const csrDir = join(dir, "app");
    await mkdir(csrDir);
    const csr = opensslCsr(csrDir, "app", "/CN=app.example.com", [
      "subjectAltName=DNS:app.example.com",
      "extendedKeyUsage=codeSigning",
      "keyUsage=critical,keyCertSign",
    ]);
    const before = await snapshot(pki);
    const signed = parseJson<IssueJson>(
      ok(
        await pgwarden([
          "cert",
          "sign",
          csr,
          "--pki",
          pki,
          "--profile",
          "server",
          "--san",
          "extra.example.com",
          "--format",
          "json",
        ]),
        "cert sign",
      ),
    );
    const crt = signed.certPath;
    assert.equal(crt, join(pki, "server", "app.example.com.crt"));
    assert.equal(signed.keyPath, null);

    const san = sslExt(crt, "subjectAltName").value.split(", ").sort();
    assert.deepEqual(san, ["DNS:app.example.com", "DNS:extra.example.com"]);
    assert.equal(sslExt(crt, "extendedKeyUsage").value, "TLS Web Server Authentication", "EKU serverAuth only");
    const keyUsage = sslExt(crt, "keyUsage");
    assert.match(keyUsage.header, /critical/, "the profile's key usage, critical");
    assert.doesNotMatch(keyUsage.value, /Certificate Sign|CRL Sign/);
    assert.match(sslExt(crt, "basicConstraints").value, /CA:FALSE/);
    assert.equal(
      certPubkey(crt),
      openssl(["req", "-in", csr, "-pubkey", "-noout"]),
      "the certificate carries the CSR's public key",
    );
    assertOpensslVerifies(caCrt, [crt], "sslserver");

    const after = await snapshot(pki);
    const newPaths = [...after.keys()].filter((path) => !before.has(path));
    assert.ok(newPaths.includes(join("server", "app.example.com.crt")), newPaths.join(" "));
    assert.deepEqual(
      newPaths.filter((path) => path.endsWith(".key")),
      [],
      "no key is written for a signed CSR",
    );
  });

  test("cert inspect --format json matches openssl; the text shows days left", async () => {
    const crt = join(pki, "server", "pg-1.crt");
    const info = inspectJson(ok(await pgwarden(["cert", "inspect", crt, "--format", "json"]), "cert inspect"));
    assert.equal(info.subject, sslName(crt, "subject"));
    assert.equal(info.issuer, sslName(crt, "issuer"));
    assert.equal(info.serial.toLowerCase(), sslSerial(crt));
    assert.deepEqual(info.keyUsage.slice().sort(), mapNames(sslExt(crt, "keyUsage").value, OPENSSL_KEY_USAGE).sort());
    assert.deepEqual(
      info.extendedKeyUsage.slice().sort(),
      mapNames(sslExt(crt, "extendedKeyUsage").value, OPENSSL_EKU).sort(),
    );
    assert.deepEqual(info.extendedKeyUsage, ["serverAuth"]);
    assert.equal(info.basicConstraints.ca, false);
    assert.match(sslExt(crt, "basicConstraints").value, /CA:FALSE/);
    assert.equal(info.keyType, "ec-p256");
    assert.match(openssl(["x509", "-noout", "-text", "-in", crt]), /NIST CURVE: P-256|ASN1 OID: prime256v1/);
    assert.equal(info.fingerprintSha256.toUpperCase(), sslFingerprint(crt, "sha256"));
    assert.equal(info.fingerprintSha1.toUpperCase(), sslFingerprint(crt, "sha1"));
    assert.equal(new Date(info.notAfter).getTime(), sslDate(crt, "enddate").getTime());

    const text = ok(await pgwarden(["cert", "inspect", crt]), "cert inspect (text)").stdout;
    assert.match(text, /\d+ days left/);
    assert.ok(text.includes(sslFingerprint(crt, "sha256")), text);
  });

  test("cert verify: 0 when purpose and host fit; 1 with a reason for a wrong host, purpose or CA", async () => {
    const crt = join(pki, "server", "pg-1.crt");
    const good = await pgwarden(["cert", "verify", crt, "--pki", pki, "--purpose", "server", "--host", "10.0.0.5"]);
    assert.equal(good.code, 0, good.stderr + good.stdout);

    const wrongHost = await pgwarden([
      "cert",
      "verify",
      crt,
      "--pki",
      pki,
      "--purpose",
      "server",
      "--host",
      "other.example.com",
    ]);
    assert.equal(wrongHost.code, 1, wrongHost.stderr + wrongHost.stdout);
    assert.match(wrongHost.stdout + wrongHost.stderr, /not valid for other\.example\.com/);

    const wrongPurpose = await pgwarden(["cert", "verify", crt, "--pki", pki, "--purpose", "client"]);
    assert.equal(wrongPurpose.code, 1, wrongPurpose.stderr + wrongPurpose.stdout);
    assert.match(wrongPurpose.stdout + wrongPurpose.stderr, /client authentication/i);
    assert.notEqual(
      opensslRun(["verify", "-purpose", "sslclient", "-CAfile", caCrt, crt]).status,
      0,
      "openssl agrees: not a client certificate",
    );

    const failedJson = await pgwarden([
      "cert",
      "verify",
      crt,
      "--pki",
      pki,
      "--purpose",
      "server",
      "--host",
      "other.example.com",
      "--format",
      "json",
    ]);
    assert.equal(failedJson.code, 1);
    const failed = parseJson<VerifyJson>(failedJson);
    assert.equal(failed.ok, false);
    assert.equal(typeof failed.reason, "string");
    assert.match(failed.reason ?? "", /other\.example\.com/);
    // IPv6 is matched as an address, not as text (openssl stores 2001:db8::5 and prints 2001:DB8:0:0:0:0:0:5).
    const passedJson = await pgwarden([
      "cert",
      "verify",
      crt,
      "--pki",
      pki,
      "--purpose",
      "server",
      "--host",
      "2001:db8::5",
      "--format",
      "json",
    ]);
    assert.equal(passedJson.code, 0, passedJson.stderr);
    assert.equal(parseJson<VerifyJson>(passedJson).ok, true);

    // A second CA with the very same name (CN=pgwarden-ca): only the signature tells them apart.
    const other = join(dir, "other-pki");
    ok(await pgwarden(["ca", "init", "--pki", other]), "ca init (second CA)");
    assert.equal(sslName(join(other, "ca", "ca.crt"), "subject"), sslName(caCrt, "subject"));
    const foreign = issuedJson(
      ok(
        await pgwarden([
          "cert",
          "issue",
          "--pki",
          other,
          "--profile",
          "server",
          "--cn",
          "pg-1",
          "--san",
          "10.0.0.5",
          "--format",
          "json",
        ]),
        "issue from the second CA",
      ),
    );
    assertOpensslVerifies(join(other, "ca", "ca.crt"), [foreign.certPath], "sslserver");
    assert.notEqual(
      opensslRun(["verify", "-CAfile", caCrt, foreign.certPath]).status,
      0,
      "openssl agrees: not signed by the first CA",
    );
    const wrongCa = await pgwarden([
      "cert",
      "verify",
      foreign.certPath,
      "--pki",
      pki,
      "--purpose",
      "server",
      "--host",
      "10.0.0.5",
      "--format",
      "json",
    ]);
    assert.equal(wrongCa.code, 1, wrongCa.stderr + wrongCa.stdout);
    const wrongCaJson = parseJson<VerifyJson>(wrongCa);
    assert.equal(wrongCaJson.ok, false);
    assert.equal(wrongCaJson.checks.find((check) => check.name === "chain")?.ok, false);
    assert.match(wrongCaJson.reason ?? "", /not signed by this CA/);
  });

  test("cert list: issued certificates with origin, --profile filter, --expiring window", async () => {
    ok(
      await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "soon", "--days", "10"]),
      "cert issue --days 10",
    );

    const all = listJson(ok(await pgwarden(["cert", "list", "--pki", pki, "--format", "json"]), "cert list"));
    const current = (cn: string) => all.find((entry) => entry.commonName === cn && entry.status === "valid");
    const pg1 = current("pg-1");
    assert.ok(pg1, JSON.stringify(all.filter((entry) => entry.commonName === "pg-1")));
    assert.equal(pg1.origin, "issued");
    assert.equal(pg1.profile, "server");
    assert.equal(pg1.path, join("server", "pg-1.crt"));
    assert.equal(pg1.serial.toLowerCase(), sslSerial(join(pki, "server", "pg-1.crt")));
    assert.equal(current("thirty")?.origin, "issued");
    assert.equal(current("soon")?.origin, "issued");
    assert.equal(current("app.example.com")?.origin, "signed");

    const clients = listJson(
      ok(
        await pgwarden(["cert", "list", "--pki", pki, "--profile", "client", "--format", "json"]),
        "cert list --profile client",
      ),
    );
    assert.ok(
      clients.every((entry) => entry.profile === "client"),
      JSON.stringify(clients.filter((entry) => entry.profile !== "client")),
    );
    assert.ok(
      clients.some((entry) => entry.commonName === "soon") && clients.some((entry) => entry.commonName === "thirty"),
      JSON.stringify(clients),
    );
    assert.ok(!clients.some((entry) => entry.commonName === "pg-1" || entry.commonName === "app.example.com"));

    // pg-1 is a 365-day certificate; "soon" has 10 days.
    const expiring = listJson(
      ok(
        await pgwarden(["cert", "list", "--pki", pki, "--expiring", "30d", "--format", "json"]),
        "cert list --expiring 30d",
      ),
    );
    const expiringNames = expiring.map((entry) => entry.commonName);
    assert.ok(expiringNames.includes("soon"), expiringNames.join(" "));
    assert.ok(!expiringNames.includes("pg-1"), expiringNames.join(" "));
    assert.ok(!expiringNames.includes("app.example.com"), expiringNames.join(" "));
  });
}

// ---------------------------------------------------------------------------

function fleetSuite(): void {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let caCrt: string;

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    pki = join(dir, "pki");
    caCrt = join(pki, "ca", "ca.crt");
    ok(await pgwarden(["ca", "init", "--pki", pki]), "ca init");
  });
  after(() => cleanup());

  test("--cn-file with 70 names (worker threads): 70 pairs, all verify, progress on stderr, --quiet silences it", async () => {
    const names = Array.from({ length: 70 }, (_, i) => `fleet_user_${String(i + 1).padStart(2, "0")}`);
    const cnFile = join(dir, "fleet.txt");
    await writeFile(cnFile, `${names.join("\n")}\n`);
    const result = ok(
      await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn-file", cnFile, "--group", "fleet"]),
      "cert issue --cn-file",
    );

    const fleetDir = join(pki, "fleet");
    const files = new Set(await readdir(fleetDir));
    for (const name of names) {
      assert.ok(files.has(`${name}.crt`) && files.has(`${name}.key`), `${name}.crt/.key in ${fleetDir}`);
    }
    assert.equal(files.size, 140, [...files].join(" "));
    // openssl checks every one of the 70 in one run.
    assertOpensslVerifies(
      caCrt,
      names.map((name) => join(fleetDir, `${name}.crt`)),
      "sslclient",
    );
    for (const name of [names[0], names[17], names[42], names[63], names[69]]) {
      const key = join(fleetDir, `${name ?? ""}.key`);
      assert.equal(await modeOf(key), 0o600, key);
      assert.equal(
        keyPubkey(key),
        certPubkey(join(fleetDir, `${name ?? ""}.crt`)),
        `${name} key matches its certificate`,
      );
      assert.equal(sslName(join(fleetDir, `${name ?? ""}.crt`), "subject"), `CN=${name}`);
    }
    const serials = names.map((name) => sslSerial(join(fleetDir, `${name}.crt`)));
    assert.equal(new Set(serials).size, 70, "every certificate has its own serial");

    // Not a TTY: whole lines, no carriage returns, ending at 100%.
    assert.match(result.stderr, /^issuing: 70\/70 \(100%\)$/m);
    assert.ok(!result.stderr.includes("\r"), JSON.stringify(result.stderr));
    for (const line of result.stderr.split("\n").filter((l) => l.startsWith("issuing")))
      assert.match(line, /^issuing: \d+\/70 \(\d+%\)$/);

    const quiet = ok(
      await pgwarden([
        "cert",
        "issue",
        "--pki",
        pki,
        "--profile",
        "client",
        "--cn-file",
        cnFile,
        "--group",
        "fleet_quiet",
        "--quiet",
      ]),
      "cert issue --cn-file --quiet",
    );
    assert.equal(quiet.stderr, "", "--quiet: nothing on stderr");
    assert.equal((await readdir(join(pki, "fleet_quiet"))).length, 140);
  });
}

// ---------------------------------------------------------------------------

function exportSuite(): void {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let caCrt: string;

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    pki = join(dir, "pki");
    caCrt = join(pki, "ca", "ca.crt");
    ok(await pgwarden(["ca", "init", "--pki", pki]), "ca init");
  });
  after(() => cleanup());

  test("cert export (pem): libpq files with a 0600 key and root.crt = ca.crt; absolute paths and verify-full printed", async () => {
    ok(
      await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "dbuser_dba"]),
      "cert issue dbuser_dba",
    );
    // A relative --out, run from `dir`: the printed paths must still be absolute.
    const result = ok(
      await pgwarden(["cert", "export", "--pki", pki, "--cn", "dbuser_dba", "--out", "bundle"], { cwd: dir }),
      "cert export",
    );
    const out = join(dir, "bundle");
    const crt = join(out, "postgresql.crt");
    const key = join(out, "postgresql.key");
    const root = join(out, "root.crt");
    assert.equal(await modeOf(key), 0o600);
    assert.ok((await readFile(root)).equals(await readFile(caCrt)), "root.crt is the CA certificate");
    assert.ok(
      (await readFile(crt)).equals(await readFile(join(pki, "client", "dbuser_dba.crt"))),
      "postgresql.crt is dbuser_dba's certificate",
    );
    assert.equal(keyPubkey(key), certPubkey(crt), "postgresql.key belongs to postgresql.crt");
    assertOpensslVerifies(root, [crt], "sslclient");

    const libpq = result.stdout
      .split("\n")
      .find((line) => line.includes("sslmode=verify-full") && line.includes("sslcert="));
    assert.ok(libpq, result.stdout);
    const param = (name: string) => new RegExp(`(?:^|[\\s"])${name}=([^\\s"]+)`).exec(libpq)?.[1] ?? "";
    assert.match(libpq, /user=dbuser_dba/);
    for (const [name, expected] of [
      ["sslcert", crt],
      ["sslkey", key],
      ["sslrootcert", root],
    ] as const) {
      const value = param(name);
      assert.ok(isAbsolute(value), `${name}=${value} is absolute`);
      assert.equal(await realpath(value), await realpath(expected), name);
    }
  });

  test("cert export --key-format pk8: DER PKCS#8 key openssl accepts, matching the certificate; JDBC URL printed", async () => {
    const out = join(dir, "jdbc");
    const result = await pgwarden([
      "cert",
      "export",
      "--pki",
      pki,
      "--cn",
      "dbuser_dba",
      "--key-format",
      "pk8",
      "--out",
      out,
    ]);
    ok(result, "cert export --key-format pk8");
    const pk8 = join(out, "postgresql.pk8");
    const der = await readFile(pk8);
    assert.equal(der[0], 0x30, "DER: starts with a SEQUENCE, not PEM text");
    assert.equal(await modeOf(pk8), 0o600);
    openssl(["pkey", "-inform", "DER", "-in", pk8, "-noout"]);
    assert.equal(keyPubkey(pk8, ["-inform", "DER"]), certPubkey(join(pki, "client", "dbuser_dba.crt")));
    assert.match(result.stdout, /jdbc:postgresql:\/\/\S*sslmode=verify-full/);
    assert.match(result.stdout, /jdbc:postgresql:\/\/\S*sslkey=[^\s&]*postgresql\.pk8/);
  });

  test("exporting again keeps a .bak of a changed file (not of an unchanged one)", async () => {
    const out = join(dir, "bundle");
    const oldCrt = await readFile(join(out, "postgresql.crt"));
    const oldKey = await readFile(join(out, "postgresql.key"));
    ok(
      await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "dbuser_dba", "--force"]),
      "re-issue dbuser_dba",
    );
    const result = ok(
      await pgwarden(["cert", "export", "--pki", pki, "--cn", "dbuser_dba", "--out", out]),
      "export again",
    );
    const names = await readdir(out);
    const crtBak = names.find((name) => /^postgresql\.crt\..*\.bak$/.test(name));
    const keyBak = names.find((name) => /^postgresql\.key\..*\.bak$/.test(name));
    assert.ok(crtBak && keyBak, names.join(" "));
    assert.ok((await readFile(join(out, crtBak))).equals(oldCrt), "the .bak holds the previous certificate");
    assert.ok((await readFile(join(out, keyBak))).equals(oldKey), "the .bak holds the previous key");
    assert.equal(await modeOf(join(out, keyBak)), 0o600, "a backed-up key stays 0600");
    assert.ok(
      !names.some((name) => name.startsWith("root.crt.")),
      `unchanged root.crt needs no backup: ${names.join(" ")}`,
    );
    assert.ok(
      (await readFile(join(out, "postgresql.crt"))).equals(await readFile(join(pki, "client", "dbuser_dba.crt"))),
      "the new certificate is in place",
    );
    assert.match(result.stderr, /\.bak/);
  });

  test("a client key readable by others is not exported (exit 7, says why) and nothing is written", async () => {
    const clientKey = join(pki, "client", "dbuser_dba.key");
    await chmod(clientKey, 0o644);
    try {
      const fresh = join(dir, "never-made");
      const refused = await pgwarden(["cert", "export", "--pki", pki, "--cn", "dbuser_dba", "--out", fresh]);
      assert.equal(refused.code, 7, refused.stderr);
      assert.match(refused.stderr, /group or others/);
      assert.match(refused.stderr, /chmod 600/);
      assert.equal(await exists(fresh), false, "no out dir made");

      const existing = join(dir, "bundle");
      const before = await snapshot(existing);
      const refusedAgain = await pgwarden(["cert", "export", "--pki", pki, "--cn", "dbuser_dba", "--out", existing]);
      assert.equal(refusedAgain.code, 7, refusedAgain.stderr);
      assert.deepEqual(await snapshot(existing), before, "an existing out dir is left as it was");
    } finally {
      await chmod(clientKey, 0o600);
    }
  });
}

// ---------------------------------------------------------------------------

function pigstySuite(): void {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let caCrt: string;
  let caKey: string;

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    pki = join(dir, "files", "pki");
    for (const sub of ["ca", "misc", "csr"]) await mkdir(join(pki, sub), { recursive: true });
    caCrt = join(pki, "ca", "ca.crt");
    caKey = join(pki, "ca", "ca.key");
    // As Pigsty's cert role does it: an RSA CA key, a self-signed CA, a client cert signed from a CSR.
    openssl(["genrsa", "-out", caKey, "2048"]);
    openssl([
      "req",
      "-x509",
      "-new",
      "-key",
      caKey,
      "-days",
      "3650",
      "-subj",
      "/CN=pigsty-ca",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
      "-out",
      caCrt,
    ]);
    const userKey = join(pki, "misc", "dbuser_dba.key");
    const csr = join(pki, "csr", "dbuser_dba.csr");
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", userKey]);
    openssl(["req", "-new", "-key", userKey, "-subj", "/CN=dbuser_dba", "-out", csr]);
    const extFile = join(dir, "client.ext");
    await writeFile(extFile, "extendedKeyUsage=clientAuth\n");
    openssl([
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      caCrt,
      "-CAkey",
      caKey,
      "-CAcreateserial",
      "-days",
      "365",
      "-extfile",
      extFile,
      "-out",
      join(pki, "misc", "dbuser_dba.crt"),
    ]);
    await chmod(caKey, 0o600);
    await chmod(userKey, 0o600);
  });
  after(() => cleanup());

  test("cert list shows the Pigsty CA and client certificate as found", async () => {
    const list = listJson(ok(await pgwarden(["cert", "list", "--pki", pki, "--format", "json"]), "cert list"));
    const ca = list.find((entry) => entry.path === join("ca", "ca.crt"));
    const dba = list.find((entry) => entry.path === join("misc", "dbuser_dba.crt"));
    assert.ok(ca && dba, JSON.stringify(list));
    assert.equal(ca.profile, "ca");
    assert.equal(ca.origin, "found");
    assert.equal(ca.commonName, "pigsty-ca");
    assert.equal(ca.serial.toLowerCase(), sslSerial(caCrt));
    assert.equal(dba.profile, "client");
    assert.equal(dba.origin, "found");
    assert.equal(dba.commonName, "dbuser_dba");
    assert.equal(dba.serial.toLowerCase(), sslSerial(join(pki, "misc", "dbuser_dba.crt")));
    assert.equal(list.length, 2, JSON.stringify(list));
  });

  test("cert issue adopts the Pigsty CA: the new certificate chains to files/pki/ca/ca.crt and is listed as issued", async () => {
    const caKeyBefore = await readFile(caKey);
    const caCrtBefore = await readFile(caCrt);
    const issued = issuedJson(
      ok(
        await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "new_user", "--format", "json"]),
        "cert issue with the Pigsty CA",
      ),
    );
    assertOpensslVerifies(caCrt, [issued.certPath], "sslclient");
    assert.equal(sslName(issued.certPath, "issuer"), "CN=pigsty-ca");
    assert.ok(
      (await readFile(caKey)).equals(caKeyBefore) && (await readFile(caCrt)).equals(caCrtBefore),
      "the Pigsty CA files are untouched",
    );
    const shown = parseJson<CaShowJson>(
      ok(await pgwarden(["ca", "show", "--pki", pki, "--format", "json"]), "ca show"),
    );
    assert.equal(shown.certificate.fingerprintSha256.toUpperCase(), sslFingerprint(caCrt, "sha256"));

    const list = listJson(ok(await pgwarden(["cert", "list", "--pki", pki, "--format", "json"]), "cert list"));
    const origin = (cn: string) => list.find((entry) => entry.commonName === cn)?.origin;
    assert.equal(origin("new_user"), "issued");
    assert.equal(origin("dbuser_dba"), "found");
    assert.equal(origin("pigsty-ca"), "found");
  });
}

// ---------------------------------------------------------------------------

function trustSuite(): void {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let caCrt: string;

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    pki = join(dir, "pki");
    caCrt = join(pki, "ca", "ca.crt");
    ok(await pgwarden(["ca", "init", "--pki", pki]), "ca init");
  });
  after(() => cleanup());

  /** The anchor must be a symlink that, followed, is the copied ca.crt under the same root. */
  async function assertAnchor(root: string, anchor: string): Promise<void> {
    const copied = join(root, "etc", "pki", "ca.crt");
    assert.ok((await readFile(copied)).equals(await readFile(caCrt)), "etc/pki/ca.crt is ca.crt");
    const link = join(root, anchor);
    assert.ok((await lstat(link)).isSymbolicLink(), `${link} is a symlink`);
    assert.equal(await realpath(link), await realpath(copied));
  }

  test("--os debian --root: copies to etc/pki/ca.crt, links it from usr/local/share/ca-certificates, does not rebuild", async () => {
    const root = join(dir, "debian-root");
    const result = ok(
      await pgwarden(["trust", "install", "--pki", pki, "--os", "debian", "--root", root]),
      "trust install --os debian",
    );
    await assertAnchor(root, join("usr", "local", "share", "ca-certificates", "ca.crt"));
    assert.match(result.stdout, /not rebuilt/);
    assert.equal(await exists(join(root, "etc", "pki", "ca-trust")), false);
  });

  test("--os el uses etc/pki/ca-trust/source/anchors", async () => {
    const root = join(dir, "el-root");
    ok(await pgwarden(["trust", "install", "--pki", pki, "--os", "el", "--root", root]), "trust install --os el");
    await assertAnchor(root, join("etc", "pki", "ca-trust", "source", "anchors", "ca.crt"));
    assert.equal(await exists(join(root, "usr", "local", "share", "ca-certificates")), false);
  });

  test("without --os, the family comes from <root>/etc/os-release (Rocky -> el, Ubuntu -> debian)", async () => {
    const rocky = join(dir, "rocky-root");
    await mkdir(join(rocky, "etc"), { recursive: true });
    await writeFile(join(rocky, "etc", "os-release"), 'ID=rocky\nID_LIKE="rhel centos fedora"\n');
    ok(await pgwarden(["trust", "install", "--pki", pki, "--root", rocky]), "trust install (rocky)");
    await assertAnchor(rocky, join("etc", "pki", "ca-trust", "source", "anchors", "ca.crt"));
    assert.equal(await exists(join(rocky, "usr", "local", "share", "ca-certificates")), false);

    const ubuntu = join(dir, "ubuntu-root");
    await mkdir(join(ubuntu, "etc"), { recursive: true });
    await writeFile(join(ubuntu, "etc", "os-release"), 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n');
    ok(await pgwarden(["trust", "install", "--pki", pki, "--root", ubuntu]), "trust install (ubuntu)");
    await assertAnchor(ubuntu, join("usr", "local", "share", "ca-certificates", "ca.crt"));
  });

  test("trust print --os debian prints a script with update-ca-certificates and the CA PEM", async () => {
    const result = ok(await pgwarden(["trust", "print", "--pki", pki, "--os", "debian"]), "trust print");
    assert.match(result.stdout, /update-ca-certificates/);
    assert.match(result.stdout, /\/usr\/local\/share\/ca-certificates/);
    assert.ok(result.stdout.includes((await readFile(caCrt, "utf8")).trim()), result.stdout);
  });

  test("--os windows is a usage error (exit 2) and places nothing", async () => {
    const root = join(dir, "windows-root");
    const result = await pgwarden(["trust", "install", "--pki", pki, "--os", "windows", "--root", root]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /windows/);
    assert.equal(await exists(root), false);
  });
}

// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------

/** Each suite has its own PKI, so suites run side by side; the tests inside one run in order. */
const inOrder = { concurrency: false } as const;
describe("pgwarden CLI commands", { concurrency: true }, () => {
  describe("ca init and ca show", inOrder, caSuite);
  describe("cert issue, sign, inspect, verify, list", inOrder, leafSuite);
  describe("cert issue --cn-file: a fleet on worker threads", inOrder, fleetSuite);
  describe("cert export", inOrder, exportSuite);
  describe("Pigsty compatibility: a files/pki made by openssl", inOrder, pigstySuite);
  describe("trust install and trust print", inOrder, trustSuite);
});
