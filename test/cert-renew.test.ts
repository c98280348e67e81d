/*
 * cert renew through the real CLI: what a renewal keeps (subject, SANs, profile, group, issuer,
 * public key unless --rekey) and changes (serial, validity), checked with openssl; the records'
 * links; and every refusal (exit code, one line, nothing written).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { normalizeSerial } from "../src/pki/encoding/serial.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { readRecords } from "../src/pki/records/certificate-records.js";
import { addRevocation, readRevocations } from "../src/pki/records/revocations.js";
import { issueWithCli, pgwarden, snapshot, tempDir } from "./support/cli.js";

interface Renewed {
  renews: string;
  serial: string;
  certPath: string;
  keyPath: string | null;
  rekeyed: boolean;
  notAfter: string;
}

const openssl = (...args: string[]) => execFileSync("openssl", args, { encoding: "utf8" });
/** What must not change in a renewal: the certificate's text without serial, validity, key ids and signature. */
function lasting(certPath: string): string {
  return openssl(
    "x509",
    "-in",
    certPath,
    "-noout",
    "-subject",
    "-issuer",
    "-ext",
    "subjectAltName,keyUsage,extendedKeyUsage,basicConstraints",
  );
}
const publicKey = (certPath: string) => openssl("x509", "-in", certPath, "-noout", "-pubkey");
const serialOf = (pem: Buffer | string) => normalizeSerial(new X509Certificate(pem).serialNumber);

describe("cert renew", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let pki: string;
  const cli = (...args: string[]) => pgwarden([...args, "--pki", pki]);
  const renew = async (...args: string[]) => {
    const result = await cli("--format", "json", "cert", "renew", ...args);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as {
      renewed: Renewed[];
      skipped: { serial: string; reason: string }[];
      revokedOld: string[];
    };
  };
  /** A refused renewal: its exit code, one line on stderr matching `message`, and no file changed. */
  const refused = async (code: number, message: RegExp, ...args: string[]) => {
    const before = await snapshot(pki);
    const result = await cli("cert", "renew", ...args);
    assert.equal(result.code, code, result.stderr);
    const lines = result.stderr
      .trim()
      .split("\n")
      .filter((line) => !line.includes("warning:"));
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] as string, message);
    assert.deepEqual(await snapshot(pki), before, "nothing written");
  };

  before(async () => {
    work = await tempDir();
    pki = join(work.dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase"])).code, 0);
  });
  after(() => work?.cleanup());

  test("same key: new serial and validity, same subject, SANs, usages and issuer, openssl verifies it; the record renews the old serial", async () => {
    const { certPath, keyPath } = await issueWithCli(pki, "server", "db1.example.com", ["10.0.0.11", "db1"]);
    const oldPem = await readFile(certPath);
    const keyBefore = await readFile(keyPath);
    const [result] = (await renew("--cn", "db1.example.com", "--days", "30")).renewed;
    assert.ok(result);
    assert.equal(result.renews, serialOf(oldPem));
    assert.equal(result.serial, serialOf(await readFile(certPath)));
    assert.notEqual(result.serial, result.renews);
    assert.equal(result.rekeyed, false);
    assert.deepEqual(await readFile(keyPath), keyBefore, "the key file is untouched");
    const old = join(work.dir, "old.crt");
    await writeFile(old, oldPem);
    assert.equal(lasting(certPath), lasting(old));
    assert.equal(publicKey(certPath), publicKey(old), "same public key");
    assert.match(openssl("verify", "-CAfile", join(pki, "ca", "ca.crt"), "-purpose", "sslserver", certPath), /: OK/);
    assert.ok(new X509Certificate(await readFile(certPath)).checkPrivateKey(createPrivateKey(keyBefore)));
    const days = (Date.parse(result.notAfter) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30, `--days 30 gives 30 days (${days})`);
    const { records } = await readRecords(pkiLayout(pki));
    const record = records.find((r) => r.serial === result.serial);
    assert.equal(record?.renews, result.renews);
    assert.equal(record?.keyPath, "server/db1.example.com.key");
    assert.equal(record?.origin, "issued");
    assert.equal(record?.issuerName, "ca");
    const again = await cli("cert", "renew", "--serial", result.renews);
    assert.equal(again.code, 2, "the old certificate, already renewed, is not renewed again");
    assert.match(again.stderr, new RegExp(`already renewed by ${result.serial}`));
  });

  test("--rekey: a new 0600 key of the same type that matches the new certificate; the lifetime defaults to the old one's", async () => {
    const { certPath, keyPath } = await issueWithCli(pki, "client", "app_user");
    const oldKey = await readFile(keyPath, "utf8");
    const [result] = (await renew("--cn", "app_user", "--rekey")).renewed;
    assert.equal(result?.rekeyed, true);
    const newKey = await readFile(keyPath, "utf8");
    assert.notEqual(newKey, oldKey);
    assert.equal((await stat(keyPath)).mode & 0o777, 0o600);
    assert.ok(new X509Certificate(await readFile(certPath)).checkPrivateKey(createPrivateKey(newKey)));
    assert.match(openssl("pkey", "-in", keyPath, "-noout", "-text"), /NIST CURVE: P-256/);
    assert.match(openssl("verify", "-CAfile", join(pki, "ca", "ca.crt"), "-purpose", "sslclient", certPath), /: OK/);
    const days = (Date.parse(result?.notAfter) - Date.now()) / 86_400_000;
    assert.ok(days > 364 && days <= 365, `the old lifetime, 365 days (${days})`);
  });

  test("a certificate signed from a CSR renews with its own public key; --rekey is refused for it (exit 2, nothing written)", async () => {
    const csr = join(work.dir, "ext.csr");
    openssl(
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      join(work.dir, "ext.key"),
      "-out",
      csr,
      "-subj",
      "/CN=ext_user",
    );
    assert.equal((await cli("cert", "sign", csr, "--profile", "client")).code, 0);
    await refused(
      2,
      /was signed from a certificate request: its key is with the requester, so --rekey cannot make one here/,
      "--cn",
      "ext_user",
      "--rekey",
    );
    const [result] = (await renew("--cn", "ext_user")).renewed;
    assert.equal(result?.keyPath, null);
    const cert = new X509Certificate(await readFile(join(pki, "client", "ext_user.crt")));
    assert.ok(
      cert.checkPrivateKey(createPrivateKey(await readFile(join(work.dir, "ext.key")))),
      "the requester's key still matches",
    );
    assert.equal((await readdir(join(pki, "client"))).includes("ext_user.key"), false, "no key written here");
  });

  test("a revoked certificate given to renew without --rekey is refused (exit 2, one line, nothing written); with --rekey it gets a new key", async () => {
    const { certPath } = await issueWithCli(pki, "client", "leaked_user");
    const serial = serialOf(await readFile(certPath));
    await addRevocation(pkiLayout(pki), {
      version: 1,
      serial,
      issuerName: "ca",
      revokedAt: new Date().toISOString(),
      reason: "keyCompromise",
    });
    await refused(
      2,
      /was revoked \(keyCompromise, .*\): a revoked certificate given to renew without --rekey/,
      "--cn",
      "leaked_user",
    );
    const bulk = await renew("--all");
    assert.ok(!bulk.renewed.some((r) => r.renews === serial), "--all never renews a revoked certificate");
    assert.match(bulk.skipped.find((s) => s.serial === serial)?.reason ?? "", /^revoked/);
    assert.deepEqual(
      bulk.skipped.map((s) => s.serial),
      [serial],
      "the CA's own record is no leaf: --all neither renews nor skips it",
    );
    const [rekeyed] = (await renew("--serial", serial, "--rekey")).renewed;
    assert.equal(rekeyed?.renews, serial);
  });

  test("a CN in two groups needs --group or --serial (exit 2, both listed); an unknown CN or serial is exit 4; bad flags exit 2", async () => {
    await issueWithCli(pki, "client", "twin");
    assert.equal((await cli("cert", "issue", "--profile", "client", "--cn", "twin", "--group", "other")).code, 0);
    await refused(
      2,
      /CN "twin" names 2 live certificates: .*client\/twin\.crt.*other\/twin\.crt.*give --serial or --group/,
      "--cn",
      "twin",
    );
    assert.equal((await renew("--cn", "twin", "--group", "other")).renewed.length, 1);
    await refused(4, /no certificate with CN "nobody"/, "--cn", "nobody");
    await refused(4, /no certificate with serial 0abc/, "--serial", "abc");
    await refused(2, /choose the certificates with one of/, "--all", "--cn", "twin");
    await refused(2, /--expiring must be a duration/, "--expiring", "30");
  });

  test("--expiring renews only what expires within the time; --revoke-old records each old certificate as superseded", async () => {
    assert.equal(
      (await cli("cert", "issue", "--profile", "client", "--cn", "short_lived", "--days", "10", "--group", "batch"))
        .code,
      0,
    );
    assert.equal((await cli("cert", "issue", "--profile", "client", "--cn", "long_lived", "--group", "batch")).code, 0);
    const result = await cli(
      "--format",
      "json",
      "cert",
      "renew",
      "--expiring",
      "30d",
      "--group",
      "batch",
      "--revoke-old",
    );
    assert.equal(result.code, 0, result.stderr);
    const { renewed, revokedOld } = JSON.parse(result.stdout) as { renewed: Renewed[]; revokedOld: string[] };
    assert.deepEqual(
      renewed.map((r) => r.certPath.split("/").slice(-1)[0]),
      ["short_lived.crt"],
    );
    const days = (Date.parse(renewed[0]?.notAfter as string) - Date.now()) / 86_400_000;
    assert.ok(days > 9 && days <= 10, "the old lifetime of 10 days is kept");
    assert.deepEqual(revokedOld, [renewed[0]?.renews]);
    const { revocations } = await readRevocations(pkiLayout(pki));
    const revocation = revocations.find((r) => r.serial === renewed[0]?.renews);
    assert.equal(revocation?.reason, "superseded");
    assert.equal(revocation?.issuerName, "ca");
    // The CRL is written at once, and openssl finds the old serial in it, superseded.
    assert.match(result.stderr, /CRLs written: .*ca\.crl/);
    const crlText = execFileSync("openssl", ["crl", "-in", join(pki, "crl", "ca.crl"), "-noout", "-text"], {
      encoding: "utf8",
    });
    assert.match(crlText.toLowerCase(), new RegExp(`serial number: ${renewed[0]?.renews}`));
    assert.match(crlText, /Superseded/);
    const again = await renew("--expiring", "30d", "--group", "batch");
    assert.deepEqual(
      again.renewed.map((r) => r.renews),
      [renewed[0]?.serial],
      "still expiring within 30 days, only the newest of the chain is renewed again",
    );
  });
});

test("a certificate an intermediate signed is renewed by that intermediate: new serial, same key, its chain file renewed too", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    const run = (...args: string[]) => pgwarden(["--pki", pki, ...args]);
    assert.equal((await run("ca", "init", "--no-passphrase", "--intermediates")).code, 0);
    assert.equal((await run("cert", "issue", "--profile", "client", "--cn", "app")).code, 0);
    const before = new X509Certificate(await readFile(join(pki, "client", "app.crt")));
    const result = await run("--format", "json", "cert", "renew", "--cn", "app");
    assert.equal(result.code, 0, result.stderr);
    const after = new X509Certificate(await readFile(join(pki, "client", "app.crt")));
    assert.notEqual(after.serialNumber, before.serialNumber);
    assert.equal(after.issuer, before.issuer, "the client intermediate signed it again");
    assert.ok(after.publicKey.equals(before.publicKey));
    const chain = await readFile(join(pki, "client", "app.fullchain.crt"), "utf8");
    assert.ok(chain.startsWith(after.toString()), "the chain file starts with the renewed leaf");
    execFileSync("openssl", [
      "verify",
      "-CAfile",
      join(pki, "ca", "ca.crt"),
      "-untrusted",
      join(pki, "ca", "client-ca.crt"),
      join(pki, "client", "app.crt"),
    ]);
  } finally {
    await cleanup();
  }
});

test("--issuer moves a root-signed certificate to an intermediate; --revoke-old then revokes the old one in the root's CRL; a revoked certificate is due", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    const run = (...args: string[]) => pgwarden(["--pki", pki, ...args]);
    assert.equal((await run("ca", "init", "--no-passphrase")).code, 0);
    assert.equal((await run("cert", "issue", "--profile", "client", "--cn", "app")).code, 0);
    const old = new X509Certificate(await readFile(join(pki, "client", "app.crt")));
    assert.equal((await run("ca", "init", "--intermediates")).code, 0);
    const unknown = await run("cert", "renew", "--cn", "app", "--issuer", "nosuch");
    assert.equal(unknown.code, 4, unknown.stderr);
    const moved = await run("cert", "renew", "--cn", "app", "--issuer", "client", "--revoke-old");
    assert.equal(moved.code, 0, moved.stderr);
    const renewed = new X509Certificate(await readFile(join(pki, "client", "app.crt")));
    const intermediate = new X509Certificate(await readFile(join(pki, "ca", "client-ca.crt")));
    assert.ok(
      renewed.checkIssued(intermediate) && renewed.verify(intermediate.publicKey),
      "signed by the client intermediate",
    );
    assert.ok(renewed.publicKey.equals(old.publicKey));
    const rootCrl = execFileSync("openssl", ["crl", "-in", join(pki, "crl", "ca.crl"), "-noout", "-text"], {
      encoding: "utf8",
    });
    assert.match(rootCrl.toLowerCase(), new RegExp(`serial number: ${normalizeSerial(old.serialNumber)}`));

    // needs-renewal: not due for a year; once revoked, due now, whatever its lifetime.
    const notDue = await run("cert", "needs-renewal", "--cn", "app");
    assert.equal(notDue.code, 1, notDue.stderr);
    assert.equal(
      (await run("cert", "revoke", normalizeSerial(renewed.serialNumber), "--reason", "keyCompromise")).code,
      0,
    );
    const due = await run("cert", "needs-renewal", "--cn", "app");
    assert.equal(due.code, 0, due.stderr);
    assert.match(due.stderr, /renewal due: revoked on .* \(keyCompromise\)/);
  } finally {
    await cleanup();
  }
});
