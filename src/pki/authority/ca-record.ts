import { relative } from "node:path";

import type { CertificateInfo } from "../inspect/certificate-info.js";
import type { PkiLayout } from "../pki-layout.js";
import type { CertificateRecord } from "../records/certificate-records.js";

/** What a CA's record says beyond its certificate: which kind, who signed it, where its files are. */
export interface CaRecordFields {
  readonly profile: "ca" | "intermediate";
  /** The CN to record when the certificate has none. */
  readonly commonName: string;
  /** The issuer's subject as text. */
  readonly issuer: string;
  readonly issuerName?: string;
  readonly issuerKeyId?: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly now: Date;
}

/** The record of a CA pgwarden made (ca init, ca intermediate create, ca rotate), in `db/certs/` with the leaves'. */
export function caRecord(layout: PkiLayout, info: CertificateInfo, fields: CaRecordFields): CertificateRecord {
  return {
    version: 1,
    serial: info.serial,
    commonName: info.commonName ?? fields.commonName,
    profile: fields.profile,
    group: "ca",
    origin: "issued",
    keyType: info.keyType,
    subject: info.subject,
    issuer: fields.issuer,
    ...(fields.issuerName === undefined ? {} : { issuerName: fields.issuerName }),
    ...(fields.issuerKeyId === undefined ? {} : { issuerKeyId: fields.issuerKeyId }),
    subjectAltNames: [],
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    fingerprintSha256: info.fingerprintSha256,
    certPath: relative(layout.root, fields.certPath),
    keyPath: relative(layout.root, fields.keyPath),
    issuedAt: fields.now.toISOString(),
  };
}
