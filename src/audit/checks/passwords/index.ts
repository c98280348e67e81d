import { type AuditCheck } from "../../audit-check.js";
import { expiredPassword } from "./expired-password.js";
import { lowIterations } from "./low-iterations.js";
import { md5Verifiers } from "./md5-verifiers.js";
import { noExpiry } from "./no-expiry.js";
import { noStrengthCheck } from "./no-strength-check.js";
import { weakPassword } from "./weak-password.js";

/** Passwords: what the server stores (the password audit engine, offline), their expiry, and what checks new ones. */
export const PASSWORD_CHECKS: readonly AuditCheck[] = [
  weakPassword,
  md5Verifiers,
  lowIterations,
  expiredPassword,
  noExpiry,
  noStrengthCheck,
];
