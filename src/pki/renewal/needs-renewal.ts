import { X509Certificate } from "node:crypto";

import { readInputFile } from "../../core/fs/read-input.js";
import { decodeCertificates } from "../encoding/pem.js";
import { normalizeSerial } from "../encoding/serial.js";
import type { PkiLayout } from "../pki-layout.js";
import { type NamedCertificate, readRenewalState, revocationOf, selectNamed } from "./renewal-selection.js";
import { type RenewalThreshold, type RenewalVerdict, renewalVerdict } from "./renewal-threshold.js";

/** A certificate file (the first certificate in it), or a recorded certificate by CN, group and serial. */
export type RenewalTarget = { readonly file: string } | NamedCertificate;

/** The verdict and which certificate it is about. */
export interface NeedsRenewalResult extends RenewalVerdict {
  readonly serial: string;
  readonly subject: string;
  /** The file read, or the recorded certificate's path relative to the PKI root. */
  readonly source: string;
}

/**
 * Whether a certificate is due for renewal (`cert needs-renewal`). A file that is missing is
 * exit 4, one that holds no certificate exit 2; an unknown CN or serial exit 4, a CN with several
 * live certificates exit 2 (renewal-selection.ts).
 */
export async function needsRenewal(
  layout: PkiLayout | undefined,
  target: RenewalTarget,
  threshold: RenewalThreshold,
  now: Date = new Date(),
): Promise<NeedsRenewalResult> {
  if ("file" in target) {
    const text = await readInputFile(target.file, "certificate", "cert-missing");
    const [der] = decodeCertificates(text, `certificate ${target.file}`, "input");
    const certificate = new X509Certificate(der as Buffer);
    return {
      ...renewalVerdict(
        { notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo) },
        threshold,
        now,
      ),
      serial: normalizeSerial(certificate.serialNumber),
      subject: certificate.subject.split("\n").join(", "),
      source: target.file,
    };
  }
  if (layout === undefined) throw new TypeError("a PKI layout is needed to find a recorded certificate");
  const state = await readRenewalState(layout);
  const record = selectNamed(state, target);
  const verdict = renewalVerdict(
    { notBefore: new Date(record.notBefore), notAfter: new Date(record.notAfter) },
    threshold,
    now,
  );
  // A revoked certificate no longer works however long it would last: it is due now (with --rekey).
  const revocation = revocationOf(state, record);
  return {
    ...verdict,
    ...(revocation === undefined
      ? {}
      : {
          due: true,
          reason: `renewal due: revoked on ${revocation.revokedAt} (${revocation.reason}); renew it with --rekey (${verdict.reason.replace(/^renewal (not )?due: /, "")})`,
        }),
    serial: normalizeSerial(record.serial),
    subject: record.subject,
    source: record.certPath,
  };
}
