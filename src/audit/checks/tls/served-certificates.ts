import { X509Certificate } from "node:crypto";

import { type CertificateFacts, certificateFacts } from "../../../pki/verify/certificate-facts.js";
import { type ServedCertificate } from "../../facts/served-certificate.js";

/** One certificate of the served chain, parsed once for the checks that judge it. */
export interface ServedCertificateView {
  /** `served certificate` for the server's own, `served chain: <subject>` for the others: the finding's subject. */
  readonly subject: string;
  readonly leaf: boolean;
  readonly node: X509Certificate;
  readonly facts: CertificateFacts;
  /** Subject, comma-separated, as evidence shows it. */
  readonly name: string;
  readonly serial: string;
}

/** The served leaf and the certificates sent after it, each parsed. */
export function servedCertificates(served: ServedCertificate): ServedCertificateView[] {
  return [served.leaf, ...served.chain].map((der, index) => {
    const node = new X509Certificate(der);
    const name = node.subject.replace(/\n/g, ", ");
    return {
      subject: index === 0 ? "served certificate" : `served chain: ${name}`,
      leaf: index === 0,
      node,
      facts: certificateFacts(der),
      name,
      serial: node.serialNumber,
    };
  });
}

/** `<subject> (serial S) served by host:port`: the evidence value that says which certificate. */
export function servedEvidence(
  served: ServedCertificate,
  view: ServedCertificateView,
): { label: string; value: string } {
  return {
    label: view.leaf ? "certificate served" : "chain certificate served",
    value: `${view.name} (serial ${view.serial}) on ${served.host}:${served.port}`,
  };
}
