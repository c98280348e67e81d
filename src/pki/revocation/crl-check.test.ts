import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { initCa } from "../authority/ca-init.js";
import { type CertificateAuthority, loadCa } from "../authority/certificate-authority.js";
import { issueCertificate } from "../issuing/issue.js";
import { PROFILES } from "../issuing/profiles.js";
import { type PkiLayout, pkiLayout } from "../pki-layout.js";
import { checkCrl } from "./crl-check.js";
import { caCrlPath, readCaCrl } from "./crl-file.js";

let dir: string;
let layout: PkiLayout;
let ca: CertificateAuthority;
let leafPath: string;

function openssl(args: readonly string[]): { code: number; out: string } {
  const result = spawnSync("openssl", args, { encoding: "utf8" });
  return { code: result.status ?? 1, out: `${result.stdout}${result.stderr}` };
}

/** OpenSSL's timestamp format for `ca -crl_lastupdate/-crl_nextupdate`. */
function stamp(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}

/** A CRL made by OpenSSL's own `ca -gencrl`, signed by the CA in `pkiDir`, with the given dates. */
async function opensslCrl(
  name: string,
  pkiDir: string,
  dates: { last?: Date; next?: Date } = {},
  crlExtensions?: string,
  index = "",
): Promise<string> {
  const work = join(dir, `gen-${name}`);
  await mkdir(work, { recursive: true });
  await writeFile(join(work, "index.txt"), index);
  const section = crlExtensions === undefined ? "" : `[x]\n${crlExtensions}\n`;
  await writeFile(
    join(work, "openssl.cnf"),
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${work}/index.txt\ndefault_md = sha256\ndefault_crl_days = 30\n${section}`,
  );
  const out = join(work, "crl.pem");
  const extra = [
    ...(dates.last ? ["-crl_lastupdate", stamp(dates.last)] : []),
    ...(dates.next ? ["-crl_nextupdate", stamp(dates.next)] : []),
  ];
  if (crlExtensions !== undefined) extra.push("-crlexts", "x");
  const signer = ["-keyfile", join(pkiDir, "ca", "ca.key"), "-cert", join(pkiDir, "ca", "ca.crt")];
  const made = openssl(["ca", "-config", join(work, "openssl.cnf"), ...signer, "-gencrl", "-out", out, ...extra]);
  assert.equal(made.code, 0, made.out);
  return readFile(out, "utf8");
}

const DAY_MS = 24 * 3600 * 1000;

interface Case {
  readonly name: string;
  readonly text: () => Promise<string>;
  /** What the refusal must say. */
  readonly reason?: RegExp;
}

const cases: Case[] = [
  { name: "a CRL from the CA, current", text: () => opensslCrl("good", layout.root) },
  {
    name: "an expired CRL (nextUpdate yesterday)",
    text: () =>
      opensslCrl("expired", layout.root, {
        last: new Date(Date.now() - 3 * DAY_MS),
        next: new Date(Date.now() - DAY_MS),
      }),
    reason: /expired on .*nextUpdate/,
  },
  {
    name: "a CRL not valid yet (thisUpdate tomorrow)",
    text: () =>
      opensslCrl("future", layout.root, {
        last: new Date(Date.now() + DAY_MS),
        next: new Date(Date.now() + 3 * DAY_MS),
      }),
    reason: /is not valid yet/,
  },
  {
    name: "a CRL from another CA",
    text: () => opensslCrl("foreign", join(dir, "foreign")),
    reason: /was issued by "CN=other-ca", not by this PKI's CA/,
  },
  {
    name: "a CRL from another CA of the same name",
    text: () => opensslCrl("impostor", join(dir, "impostor")),
    reason: /signature does not verify with that CA's key/,
  },
  { name: "garbage", text: () => Promise.resolve("this is not a CRL\n"), reason: /is not a PEM CRL/ },
  { name: "an empty file", text: () => Promise.resolve(""), reason: /is empty/ },
  {
    name: "a certificate PEM in place of a CRL",
    text: () => readFile(leafPath, "utf8"),
    reason: /holds a CERTIFICATE PEM block, not an X509 CRL/,
  },
  {
    name: "a truncated CRL",
    text: async () => {
      const good = await opensslCrl("truncated", layout.root);
      const body = good.split("\n").filter((line) => line && !line.startsWith("-----"));
      return `-----BEGIN X509 CRL-----\n${body.slice(0, 2).join("\n")}\n-----END X509 CRL-----\n`;
    },
    reason: /cannot be parsed/,
  },
  // `openssl ca -gencrl -crlexts`: the CA's own CRLs, each valid and signed, that OpenSSL still cannot use for a client certificate.
  {
    name: "a CRL with an unknown critical extension",
    text: () => opensslCrl("unknown-critical", layout.root, {}, "1.2.3.4=critical,ASN1:NULL"),
    reason: /critical CRL extension 1\.2\.3\.4 that OpenSSL does not handle.*unhandled critical CRL extension/,
  },
  {
    name: "a CRL whose cRLNumber is critical",
    text: () => opensslCrl("critical-number", layout.root, {}, "crlNumber=critical,ASN1:INTEGER:5"),
    reason: /critical CRL extension cRLNumber that OpenSSL does not handle/,
  },
  {
    name: "a CRL whose issuingDistributionPoint says onlyContainsCACerts",
    text: () => opensslCrl("idp-ca", layout.root, {}, "issuingDistributionPoint=critical,@idp\n[idp]\nonlyCA=TRUE"),
    reason: /issuingDistributionPoint with onlyContainsCACerts.*only full CRLs of the CA/,
  },
  {
    name: "an indirect CRL",
    text: () =>
      opensslCrl("idp-indirect", layout.root, {}, "issuingDistributionPoint=critical,@idp\n[idp]\nindirectCRL=TRUE"),
    reason: /issuingDistributionPoint with indirectCRL/,
  },
  {
    name: "a CRL for some reasons only",
    text: () =>
      opensslCrl(
        "idp-reasons",
        layout.root,
        {},
        "issuingDistributionPoint=critical,@idp\n[idp]\nonlysomereasons=keyCompromise",
      ),
    reason: /issuingDistributionPoint with onlySomeReasons/,
  },
  {
    name: "a CRL for one distribution point",
    text: () =>
      opensslCrl(
        "idp-name",
        layout.root,
        {},
        "issuingDistributionPoint=critical,@idp\n[idp]\nfullname=URI:http://crl.example/ca.crl",
      ),
    reason: /issuingDistributionPoint with a distributionPoint name/,
  },
  {
    name: "a CRL with an unknown extension not marked critical",
    text: () => opensslCrl("unknown-plain", layout.root, {}, "1.2.3.4=ASN1:NULL"),
  },
  {
    name: "a CRL with authorityKeyIdentifier",
    text: () => opensslCrl("aki", layout.root, {}, "authorityKeyIdentifier=keyid"),
  },
  {
    name: "a CRL whose issuingDistributionPoint says onlyContainsUserCerts (every pgwarden leaf is one)",
    text: () => opensslCrl("idp-user", layout.root, {}, "issuingDistributionPoint=critical,@idp\n[idp]\nonlyuser=TRUE"),
  },
];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-crl-check-"));
  layout = pkiLayout(join(dir, "pki"));
  ca = (await initCa(layout, {})).ca;
  await initCa(pkiLayout(join(dir, "foreign")), { subject: { commonName: "other-ca" } });
  await initCa(pkiLayout(join(dir, "impostor")), {});
  leafPath = (await issueCertificate(layout, ca, { profile: PROFILES.client, commonName: "crl_user" })).certPath;
});
after(() => rm(dir, { recursive: true, force: true }));

for (const item of cases) {
  test(`CRL check, same verdict as openssl verify -crl_check: ${item.name}`, async () => {
    const text = await item.text();
    const path = join(dir, `${item.name.replace(/\W+/g, "-")}.crl`);
    await writeFile(path, text);
    // OpenSSL's verdict: a certificate of this CA verified against this CRL (a refused CRL fails every one).
    const verdict = openssl(["verify", "-crl_check", "-CAfile", layout.caCert, "-CRLfile", path, leafPath]);
    const ours = await checkCrl(text, [{ der: ca.der }], new Date(), path).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (item.reason === undefined) {
      assert.equal(ours, undefined, String(ours));
      assert.equal(verdict.code, 0, verdict.out);
      // And the signature on its own, as `openssl crl -verify` checks it.
      assert.match(openssl(["crl", "-in", path, "-noout", "-verify", "-CAfile", layout.caCert]).out, /verify OK/);
    } else {
      assert.ok(ours instanceof PgwardenError, `accepted: ${item.name}`);
      assert.equal(ours.exitCode, 7);
      assert.match(ours.message, item.reason);
      assert.ok(ours.message.startsWith(path), ours.message);
      assert.notEqual(verdict.code, 0, `openssl accepted ${item.name}: ${verdict.out}`);
    }
  });
}

test("the clock is injected: a current CRL is refused as expired at a time past its nextUpdate, as openssl -attime says", async () => {
  const text = await opensslCrl("clock", layout.root);
  const path = join(dir, "clock.crl");
  await writeFile(path, text);
  const later = new Date(Date.now() + 40 * DAY_MS);
  await assert.rejects(checkCrl(text, [{ der: ca.der }], later, path), /expired on/);
  const attime = String(Math.floor(later.getTime() / 1000));
  assert.notEqual(
    openssl(["verify", "-crl_check", "-attime", attime, "-CAfile", layout.caCert, "-CRLfile", path, leafPath]).code,
    0,
  );
  const checked = await checkCrl(text, [{ der: ca.der }], new Date(), path);
  assert.deepEqual(
    checked.crls.map((crl) => crl.issuer),
    ["CN=pgwarden-ca"],
  );
  assert.equal(checked.pem, text, "the bytes checked are the bytes installed");
});

test("readCaCrl: no file is no CRL; a directory in its place is refused (exit 7), never read as no CRL", async () => {
  const fresh = pkiLayout(join(dir, "pki-dir-case"));
  assert.equal(await readCaCrl(fresh, { issuers: [{ der: ca.der }], now: new Date() }), undefined);
  await mkdir(caCrlPath(fresh), { recursive: true });
  await assert.rejects(readCaCrl(fresh, { issuers: [{ der: ca.der }], now: new Date() }), (error: unknown) => {
    assert.ok(error instanceof PgwardenError);
    assert.equal(error.exitCode, 7);
    assert.match(error.message, /ca\.crl is a directory, not a CRL file/);
    return true;
  });
  // OpenSSL cannot load a directory as a CRL either.
  assert.notEqual(
    openssl(["verify", "-crl_check", "-CAfile", layout.caCert, "-CRLfile", caCrlPath(fresh), leafPath]).code,
    0,
  );
});

for (const keyType of ["ec-p384", "rsa-2048", "ed25519"] as const) {
  test(`a CRL that OpenSSL signs with a ${keyType} CA is accepted, and refused once expired, as openssl verify -crl_check says`, async () => {
    const other = pkiLayout(join(dir, `kt-${keyType}`));
    const otherCa = (await initCa(other, { keyType })).ca;
    const otherLeaf = (await issueCertificate(other, otherCa, { profile: PROFILES.client, commonName: "kt_user" }))
      .certPath;
    // OpenSSL signs Ed25519 with no separate digest.
    const md = keyType === "ed25519" ? ["-md", "null"] : [];
    for (const expired of [false, true]) {
      const dates = expired ? { last: new Date(Date.now() - 3 * DAY_MS), next: new Date(Date.now() - DAY_MS) } : {};
      const work = join(dir, `kt-${keyType}-${expired}`);
      await mkdir(work, { recursive: true });
      await writeFile(join(work, "index.txt"), "");
      await writeFile(
        join(work, "openssl.cnf"),
        `[ca]\ndefault_ca = d\n[d]\ndatabase = ${work}/index.txt\ndefault_md = sha256\ndefault_crl_days = 30\n`,
      );
      const extra =
        dates.last && dates.next ? ["-crl_lastupdate", stamp(dates.last), "-crl_nextupdate", stamp(dates.next)] : [];
      const path = join(work, "crl.pem");
      const signer = ["-keyfile", other.caKey, "-cert", other.caCert];
      const made = openssl([
        "ca",
        "-config",
        join(work, "openssl.cnf"),
        ...signer,
        "-gencrl",
        "-out",
        path,
        ...md,
        ...extra,
      ]);
      assert.equal(made.code, 0, made.out);
      const ours = await checkCrl(await readFile(path, "utf8"), [{ der: otherCa.der }], new Date(), path).then(
        () => true,
        () => false,
      );
      const theirs = openssl(["verify", "-crl_check", "-CAfile", other.caCert, "-CRLfile", path, otherLeaf]).code === 0;
      assert.equal(ours, !expired);
      assert.equal(theirs, ours);
    }
  });
}

test("a file of several CRLs: accepted when each passes (openssl agrees); refused naming the one that does not", async () => {
  const good = await opensslCrl("multi-good", layout.root);
  const path = join(dir, "multi.crl");
  await writeFile(path, `${good}${good}`);
  const checked = await checkCrl(`${good}${good}`, [{ der: ca.der }], new Date(), path);
  assert.equal(checked.crls.length, 2);
  assert.equal(openssl(["verify", "-crl_check", "-CAfile", layout.caCert, "-CRLfile", path, leafPath]).code, 0);
  // Stricter than OpenSSL, which would skip a CRL of another issuer: a foreign CRL in the CA's file is a mistake to fix, not to install.
  const foreign = await opensslCrl("multi-foreign", join(dir, "foreign"));
  await assert.rejects(
    checkCrl(`${good}${foreign}`, [{ der: ca.der }], new Date(), path),
    /\(CRL 2 of 2\) was issued by "CN=other-ca"/,
  );
});

/** A revoked line of `openssl ca`'s index.txt for the certificate at `path`. */
function revokedIndexLine(path: string): string {
  const serial = openssl(["x509", "-in", path, "-noout", "-serial"])
    .out.trim()
    .replace(/^serial=/, "");
  return `R\t491231235959Z\t${stamp(new Date(Date.now() - DAY_MS)).slice(2)}\t${serial}\tunknown\t/CN=crl_user\n`;
}

test("a delta CRL is refused: OpenSSL (as PostgreSQL runs it) takes it for a full CRL and lets in a certificate its base CRL revokes", async () => {
  const index = revokedIndexLine(leafPath);
  const basePath = join(dir, "base.crl");
  await writeFile(basePath, await opensslCrl("base", layout.root, {}, "crlNumber=ASN1:INTEGER:1", index));
  const deltaText = await opensslCrl(
    "delta",
    layout.root,
    {},
    "crlNumber=ASN1:INTEGER:2\n2.5.29.27=critical,ASN1:INTEGER:1",
  );
  const deltaPath = join(dir, "delta.crl");
  await writeFile(deltaPath, deltaText);
  assert.match(
    openssl(["verify", "-crl_check", "-CAfile", layout.caCert, "-CRLfile", basePath, leafPath]).out,
    /certificate revoked/,
  );
  const withDelta = openssl(["verify", "-crl_check", "-CAfile", layout.caCert, "-CRLfile", deltaPath, leafPath]);
  assert.equal(withDelta.code, 0, `OpenSSL now refuses the revoked leaf under the delta alone: ${withDelta.out}`);
  await assert.rejects(checkCrl(deltaText, [{ der: ca.der }], new Date(), deltaPath), (error: unknown) => {
    assert.ok(error instanceof PgwardenError);
    assert.equal(error.exitCode, 7);
    assert.match(error.message, /is a delta CRL \(deltaCRLIndicator\).*install the full CRL/);
    return true;
  });
});

test("a certificate beside the CRL is refused: what loads ssl_crl_file (X509_load_cert_crl_file) trusts it, as openssl verify -CAfile shows", async () => {
  const good = await opensslCrl("stray-cert", layout.root);
  const foreign = pkiLayout(join(dir, "foreign"));
  const foreignCa = await readFile(foreign.caCert, "utf8");
  const text = `${good}${foreignCa}`;
  const path = join(dir, "stray-cert.crl");
  await writeFile(path, text);
  const foreignLeaf = (
    await issueCertificate(foreign, await loadCa(foreign), { profile: PROFILES.client, commonName: "intruder" })
  ).certPath;
  // The loader that reads ssl_crl_file makes the foreign CA a trust anchor (its leaf verifies without CRL checks): nothing unchecked goes in.
  assert.equal(openssl(["verify", "-CAfile", path, foreignLeaf]).code, 0);
  await assert.rejects(checkCrl(text, [{ der: ca.der }], new Date(), path), (error: unknown) => {
    assert.ok(error instanceof PgwardenError);
    assert.equal(error.exitCode, 7);
    assert.match(error.message, /holds a CERTIFICATE PEM block besides its CRL/);
    return true;
  });
});
