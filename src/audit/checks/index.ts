import { type AuditCheck } from "../audit-check.js";
import { AUTHENTICATION_CHECKS } from "./authentication/index.js";
import { HOST_CHECKS } from "./host/index.js";
import { INTEGRITY_CHECKS } from "./integrity/index.js";
import { INVENTORY_CHECKS } from "./inventory/index.js";
import { LOGGING_CHECKS } from "./logging/index.js";
import { PASSWORD_CHECKS } from "./passwords/index.js";
import { ROLES_CHECKS } from "./roles/index.js";
import { TLS_CHECKS } from "./tls/index.js";

/** Every check of the live audit, family by family. */
export const ALL_CHECKS: readonly AuditCheck[] = [
  ...TLS_CHECKS,
  ...AUTHENTICATION_CHECKS,
  ...PASSWORD_CHECKS,
  ...ROLES_CHECKS,
  ...LOGGING_CHECKS,
  ...INTEGRITY_CHECKS,
  ...HOST_CHECKS,
  ...INVENTORY_CHECKS,
];
