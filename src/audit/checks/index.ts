import { type AuditCheck } from "../audit-check.js";
import { INVENTORY_CHECKS } from "./inventory/index.js";
import { LOGGING_CHECKS } from "./logging/index.js";
import { TLS_CHECKS } from "./tls/index.js";

/** Every check of the live audit, family by family. */
export const ALL_CHECKS: readonly AuditCheck[] = [...TLS_CHECKS, ...LOGGING_CHECKS, ...INVENTORY_CHECKS];
