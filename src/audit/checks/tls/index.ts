import { type AuditCheck } from "../../audit-check.js";
import { certRulesWithoutCa } from "./cert-rules-without-ca.js";
import { certificateExpired } from "./certificate-expired.js";
import { certificateExpiring } from "./certificate-expiring.js";
import { certificateHostMismatch } from "./certificate-host-mismatch.js";
import { certificateUntrusted } from "./certificate-untrusted.js";
import { certificateWeakKey } from "./certificate-weak-key.js";
import { certificateWeakSignature } from "./certificate-weak-signature.js";
import { ciphersWithoutForwardSecrecy } from "./ciphers-without-forward-secrecy.js";
import { crlExpired } from "./crl-expired.js";
import { crlMissing } from "./crl-missing.js";
import { hostRulesAllowPlaintext } from "./host-rules-allow-plaintext.js";
import { keyFileMode } from "./key-file-mode.js";
import { minProtocol } from "./min-protocol.js";
import { notServed } from "./not-served.js";
import { replicationWithoutTls } from "./replication-without-tls.js";
import { sessionsWithoutTls } from "./sessions-without-tls.js";
import { sslOff } from "./ssl-off.js";
import { tcpRulesWithoutTls } from "./tcp-rules-without-tls.js";
import { weakCiphers } from "./weak-ciphers.js";

/** The network layer's TLS checks: the server's settings, its rules, and the certificate it serves. */
export const TLS_CHECKS: readonly AuditCheck[] = [
  sslOff,
  notServed,
  tcpRulesWithoutTls,
  hostRulesAllowPlaintext,
  minProtocol,
  weakCiphers,
  ciphersWithoutForwardSecrecy,
  sessionsWithoutTls,
  certificateExpired,
  certificateExpiring,
  certificateWeakKey,
  certificateWeakSignature,
  certificateHostMismatch,
  certificateUntrusted,
  certRulesWithoutCa,
  crlMissing,
  crlExpired,
  keyFileMode,
  replicationWithoutTls,
];
