import { type AuditCheck } from "../audit-check.js";
import { LOGGING_CHECKS } from "./logging/index.js";
import { ROLES_CHECKS } from "./roles/index.js";
import { TLS_CHECKS } from "./tls/index.js";

/** Every check of the live audit, family by family. */
export const ALL_CHECKS: readonly AuditCheck[] = [...TLS_CHECKS, ...LOGGING_CHECKS, ...ROLES_CHECKS];
