import { X509Certificate } from "node:crypto";

import { notFoundError, pkiError } from "../../core/errors.js";
import { toPem } from "../encoding/der.js";
import { normalizeSerial } from "../encoding/serial.js";
import type { ProfileName } from "../issuing/profiles.js";
import { readPrivateKeyFile } from "../keys/key-file.js";
import type { PkiLayout } from "../pki-layout.js";
import { revocationsOfSerial } from "../records/revocations.js";
import {
  type CertificateAuthority,
  certificateAuthority,
  loadCa,
  type LoadCaOptions,
  readCertificateFile,
} from "./certificate-authority.js";
import { issuerFiles, listIssuerFiles, ROOT_ISSUER } from "./issuers.js";
import { listRotatedCas, rotatedDir } from "./rotated-cas.js";
import { finishRotation } from "./rotation-journal.js";

/*
 * Which CA signs a leaf, and loading it. With intermediates present, a profile's leaves come
 * from the intermediate named as the profile (peer: "peer", else "server"); without one, from the
 * root, exactly as before intermediates existed. `--issuer NAME` overrides.
 */

/** A CA loaded for signing under its PKI name, with the chain its leaves are shipped with. */
export interface LoadedIssuer extends CertificateAuthority {
  readonly issuerName: string;
  /** The intermediate's certificate PEM; empty for the root. */
  readonly chainPem: string;
}

/** The intermediates a profile's leaves come from, in order of preference (the root when none exists). */
export const PROFILE_ISSUERS: Readonly<Record<ProfileName, readonly string[]>> = {
  server: ["server"],
  client: ["client"],
  peer: ["peer", "server"],
};

/** The names of the issuers present, the root first. */
export async function issuerNames(layout: PkiLayout): Promise<string[]> {
  return (await listIssuerFiles(layout)).map((files) => files.name);
}

/**
 * The issuer that signs `profile`'s leaves: `override` when given (exit 4 with the list of issuers when
 * there is none of that name), else the first of {@link PROFILE_ISSUERS} present, else the root.
 */
export async function issuerNameFor(layout: PkiLayout, profile: ProfileName, override?: string): Promise<string> {
  const present = await issuerNames(layout);
  if (override !== undefined) {
    // Without ca/ca.crt, the root's own loader says to run ca init.
    if (present.includes(override) || (override === ROOT_ISSUER && present.length === 0)) return override;
    throw notFoundError(
      "issuer-not-found",
      `no issuer "${override}" in ${layout.caDir}: the issuers are ${present.join(", ") || "none (run pgwarden ca init)"}; ` +
        "make one with pgwarden ca intermediate create --name NAME",
    );
  }
  return PROFILE_ISSUERS[profile].find((name) => present.includes(name)) ?? ROOT_ISSUER;
}

/**
 * Loads the issuer `name` for signing. The root keeps every check of {@link loadCa}; an intermediate
 * (`ca/<name>-ca.{key,crt}`, its key under the root's passphrase) must be signed by a trusted root: the one in
 * `ca/ca.crt` or one `ca rotate` replaced and `ca retire` has not retired (its signature verified), a CA with
 * keyCertSign, within its validity (an expired issuer refuses to sign, exit 7) and the pair of its key.
 */
export async function loadIssuer(layout: PkiLayout, name: string, options: LoadCaOptions = {}): Promise<LoadedIssuer> {
  if (name === ROOT_ISSUER) return { ...(await loadCa(layout, options)), issuerName: ROOT_ISSUER, chainPem: "" };
  // An intermediate's rotation killed between its renames: finish it before reading the pair.
  await finishRotation(layout);
  const files = issuerFiles(layout, name);
  const read = (path: string, label: string) =>
    readCertificateFile(path, label).catch((error: unknown) => {
      if (error instanceof Error && "code" in error && error.code === "cert-missing")
        throw notFoundError(
          "issuer-not-found",
          `no issuer "${name}": ${path} does not exist (pgwarden ca intermediate create --name ${name})`,
        );
      throw error;
    });
  const [{ der, pem }, root] = await Promise.all([
    read(files.certPath, "intermediate certificate"),
    read(layout.caCert, "CA certificate"),
  ]);
  const key = await readPrivateKeyFile(files.keyPath, {
    label: `intermediate "${name}" key`,
    passphrase: options.passphrase,
    insecure: options.insecure ?? false,
    onWarning: options.onWarning,
  });
  await refuseRevokedIssuer(layout, name, files.certPath, new X509Certificate(der));
  const signer = await signingRoot(layout, new X509Certificate(der), root);
  const ca = certificateAuthority(files, der, pem, key, {
    now: options.now,
    onWarning: options.onWarning,
    root: new X509Certificate(signer.der),
  });
  return { ...ca, issuerName: name, chainPem: toPem(der, "CERTIFICATE"), root: { der: signer.der, pem: signer.pem } };
}

/**
 * The trusted root that signed `intermediate`: the current one (`ca/ca.crt`) or a rotated one still trusted,
 * so that intermediates made before `ca rotate` keep signing until they are rotated themselves. When none
 * did, the current root, whose check then says what is wrong.
 */
async function signingRoot(
  layout: PkiLayout,
  intermediate: X509Certificate,
  current: { readonly der: Buffer; readonly pem: string },
): Promise<{ readonly der: Buffer; readonly pem: string }> {
  const signedBy = (der: Buffer) => {
    try {
      return intermediate.verify(new X509Certificate(der).publicKey);
    } catch {
      return false;
    }
  };
  if (signedBy(current.der)) return current;
  const rotated = (await listRotatedCas(rotatedDir(layout))).filter((ca) => ca.issuerName === ROOT_ISSUER);
  return rotated.find((ca) => signedBy(ca.der)) ?? current;
}

/** The issuer of `profile`'s leaves ({@link issuerNameFor}), loaded ({@link loadIssuer}). */
export async function loadIssuerFor(
  layout: PkiLayout,
  profile: ProfileName,
  options: LoadCaOptions & { readonly issuer?: string | undefined } = {},
): Promise<LoadedIssuer> {
  return loadIssuer(layout, await issuerNameFor(layout, profile, options.issuer), options);
}

/**
 * An intermediate whose own certificate was revoked (`cert revoke --force`) signs nothing more:
 * every verifier that checks the CRL refuses what it signs. Exit 7, naming the replacement.
 */
export async function refuseRevokedIssuer(
  layout: PkiLayout,
  name: string,
  certPath: string,
  certificate: X509Certificate,
): Promise<void> {
  const [revoked] = await revocationsOfSerial(layout, normalizeSerial(certificate.serialNumber));
  if (revoked)
    throw pkiError(
      "issuer-revoked",
      `issuer ${name} (${certPath}) was revoked on ${revoked.revokedAt} (${revoked.reason}): it signs nothing more; ` +
        `replace it with pgwarden ca rotate --intermediate ${name}, then renew its certificates (pgwarden cert renew --all)`,
    );
}
