import { readFile } from "node:fs/promises";

import { notFoundError } from "../../core/errors.js";
import { readCertificateFile } from "../authority/certificate-authority.js";
import { type IssuerKind } from "../authority/issuers.js";
import { crlStateName, listTrustedIssuerFiles } from "../authority/trusted-issuers.js";
import { normalizeSerial } from "../encoding/serial.js";
import { isEncryptedPem } from "../keys/key-file.js";
import type { PkiLayout } from "../pki-layout.js";
import { revocationsOfSerial } from "../records/revocations.js";
import { crlStatus, type IssuerCrlStatus } from "../revocation/crl-status.js";
import { type CertificateInfo, describeCertificate } from "./certificate-info.js";

/** The state of an issuer's key file, as `ca show` says it. */
export type KeyFileState = "missing" | "present, encrypted" | "present, not encrypted";

/** One CA of the PKI (the root, an intermediate, or one `ca rotate` replaced) as `ca show` lists it. */
export interface IssuerOverview {
  /** The issuer's name; `<name>-<key id 16>` for a rotated CA. */
  readonly name: string;
  readonly kind: IssuerKind;
  /** A CA `ca rotate` replaced: still trusted, signing its CRL, until `ca retire`. */
  readonly rotated: boolean;
  readonly certPath: string;
  readonly keyPath: string;
  readonly key: KeyFileState;
  readonly certificate: CertificateInfo;
  /** Its CRL, from `crl status`. */
  readonly crl: IssuerCrlStatus;
}

export interface IssuersOverview {
  readonly issuers: IssuerOverview[];
  /** The current CA that expires first: the day the PKI needs attention (rotated CAs are on their way out). */
  readonly soonestExpiry: { readonly issuer: string; readonly notAfter: string; readonly daysLeft: number };
  /** Current CAs that expired: they sign nothing, and every certificate they issued fails. One line each. */
  readonly caProblems: string[];
  /** CRL problems (due, expired, missing, stale combined file), one line each. */
  readonly crlProblems: string[];
}

async function keyState(path: string): Promise<KeyFileState> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return "missing";
  return isEncryptedPem(text) ? "present, encrypted" : "present, not encrypted";
}

/**
 * Every CA of the PKI (rotated ones not retired included, after the current ones) with its certificate, key file,
 * CRL, and the soonest expiry among the current ones.
 */
export async function issuersOverview(layout: PkiLayout, now: Date = new Date()): Promise<IssuersOverview> {
  const files = await listTrustedIssuerFiles(layout);
  if (!files.some((issuer) => issuer.kind === "root" && issuer.rotatedKeyId === undefined))
    throw notFoundError("ca-missing", `no CA in ${layout.caDir}: run pgwarden ca init --pki ${layout.root}`);
  const crls = await crlStatus(layout, now);
  const issuers: IssuerOverview[] = [];
  for (const issuer of files) {
    const { der } = await readCertificateFile(issuer.certPath, `issuer ${issuer.name} certificate`);
    const name = crlStateName(issuer);
    issuers.push({
      name,
      kind: issuer.kind,
      rotated: issuer.rotatedKeyId !== undefined,
      certPath: issuer.certPath,
      keyPath: issuer.keyPath,
      key: await keyState(issuer.keyPath),
      certificate: describeCertificate(der, now),
      crl: crls.issuers.find((crl) => crl.issuer === name) as IssuerCrlStatus,
    });
  }
  const soonest = issuers
    .filter((issuer) => !issuer.rotated)
    .sort((a, b) => a.certificate.notAfter.localeCompare(b.certificate.notAfter))[0] as IssuerOverview;
  return {
    issuers,
    soonestExpiry: {
      issuer: soonest.name,
      notAfter: soonest.certificate.notAfter,
      daysLeft: soonest.certificate.daysLeft,
    },
    caProblems: [
      ...issuers
        .filter((issuer) => !issuer.rotated && Date.parse(issuer.certificate.notAfter) <= now.getTime())
        .map(
          (issuer) =>
            `issuer ${issuer.name} (${issuer.certPath}) expired at ${issuer.certificate.notAfter}: it signs nothing, and every ` +
            `certificate it issued fails verification; replace it: pgwarden ca rotate${issuer.kind === "root" ? "" : ` --intermediate ${issuer.name}`}`,
        ),
      ...(await revokedIssuers(layout, issuers)),
    ],
    crlProblems: crls.problems,
  };
}

/** Current intermediates whose own certificate was revoked (`cert revoke --force`): one line each, with the replacement. */
async function revokedIssuers(layout: PkiLayout, issuers: readonly IssuerOverview[]): Promise<string[]> {
  const lines: string[] = [];
  for (const issuer of issuers.filter((item) => !item.rotated && item.kind === "intermediate")) {
    const [revoked] = await revocationsOfSerial(layout, normalizeSerial(issuer.certificate.serial));
    if (revoked)
      lines.push(
        `issuer ${issuer.name} (${issuer.certPath}) was revoked on ${revoked.revokedAt} (${revoked.reason}): it signs nothing more ` +
          `and servers must stop trusting it; replace it: pgwarden ca rotate --intermediate ${issuer.name}, then pgwarden cert renew --all`,
      );
  }
  return lines;
}
