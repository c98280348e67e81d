import { Option } from "commander";

import type { CertificateAuthority } from "../../../pki/authority/certificate-authority.js";
import { loadCa } from "../../../pki/authority/certificate-authority.js";
import { loadIssuerFor } from "../../../pki/authority/issuer-loader.js";
import type { IssueResult } from "../../../pki/issuing/issue.js";
import type { ProfileName } from "../../../pki/issuing/profiles.js";
import type { CommandContext } from "../../context.js";
import { keyValueLines } from "../../render.js";

/**
 * Loads the CA for signing with the passphrase and --insecure from the command line: the root, or with
 * `issuing` the issuer of that profile's leaves (its intermediate when one exists) or the one --issuer names.
 */
export async function loadSigningCa(
  ctx: CommandContext,
  insecure: boolean | undefined,
  issuing?: { readonly profile: ProfileName; readonly issuer?: string | undefined },
): Promise<CertificateAuthority> {
  const options = {
    passphrase: await ctx.passphrase(),
    insecure: insecure ?? false,
    onWarning: (message: string) => ctx.output.warn(message),
  };
  return issuing
    ? loadIssuerFor(ctx.layout, issuing.profile, { ...options, issuer: issuing.issuer })
    : loadCa(ctx.layout, options);
}

/** `--issuer NAME`: which CA signs, instead of the one named as the profile. */
export function issuerOption(): Option {
  return new Option(
    "--issuer <name>",
    'the CA that signs: "ca" (the root) or an intermediate (default: the intermediate named as the profile, peer: peer or server, else the root)',
  );
}

/** The JSON shape of an issued certificate, the same for `issue` and `sign` (its warnings are the document's). */
export function issuedJson(result: IssueResult) {
  const { record } = result;
  return {
    serial: record.serial,
    subject: record.subject,
    subjectAltNames: record.subjectAltNames,
    notBefore: record.notBefore,
    notAfter: record.notAfter,
    fingerprintSha256: record.fingerprintSha256,
    keyType: record.keyType,
    profile: record.profile,
    keyPath: result.keyPath,
    certPath: result.certPath,
    ...(result.chainPath === undefined ? {} : { chainPath: result.chainPath }),
    issuerName: record.issuerName ?? "ca",
  };
}

export function issuedText(result: IssueResult): string {
  const { record } = result;
  return keyValueLines([
    ["certificate", result.certPath],
    ["chain", result.chainPath ?? null],
    ["issuer", record.issuerName && record.issuerName !== "ca" ? `${record.issuerName} (intermediate)` : null],
    ["key", result.keyPath ? `${result.keyPath} (0600)` : null],
    ["subject", record.subject],
    ["subject alt names", record.subjectAltNames.join(", ")],
    ["profile", record.profile],
    ["serial", record.serial],
    ["valid", `${record.notBefore} to ${record.notAfter}`],
    ["key type", record.keyType],
    ["sha256 fingerprint", record.fingerprintSha256],
  ]);
}
