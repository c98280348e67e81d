import { type AuditCheck } from "../../audit-check.js";
import { authDelay } from "./auth-delay.js";
import { authenticationTimeout } from "./authentication-timeout.js";
import { connectionLimits } from "./connection-limits.js";
import { hbaLint } from "./hba-lint.js";
import { passwordEncryption } from "./password-encryption.js";
import { trustOnHost } from "./trust-on-host.js";

/** Authentication: the access rules the server loaded (through hba lint) and how logins are made and slowed. */
export const AUTHENTICATION_CHECKS: readonly AuditCheck[] = [
  hbaLint,
  trustOnHost,
  passwordEncryption,
  authenticationTimeout,
  authDelay,
  connectionLimits,
];
