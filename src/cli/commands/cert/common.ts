import type { CertificateAuthority } from "../../../pki/authority/certificate-authority.js";
import { loadCa } from "../../../pki/authority/certificate-authority.js";
import type { IssueResult } from "../../../pki/issuing/issue.js";
import type { CommandContext } from "../../context.js";
import { keyValueLines } from "../../render.js";

/** Loads the CA for signing with the passphrase and --insecure from the command line. */
export async function loadSigningCa(ctx: CommandContext, insecure: boolean | undefined): Promise<CertificateAuthority> {
  return loadCa(ctx.layout, {
    passphrase: await ctx.passphrase(),
    insecure: insecure ?? false,
    onWarning: (message) => ctx.output.warn(message),
  });
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
  };
}

export function issuedText(result: IssueResult): string {
  const { record } = result;
  return keyValueLines([
    ["certificate", result.certPath],
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
