import { type AuditCheck } from "../../audit-check.js";
import { sslOff } from "./ssl-off.js";

/** The network layer's TLS checks: the server's settings, its rules, and the certificate it serves. */
export const TLS_CHECKS: readonly AuditCheck[] = [sslOff];
