import type { PasswordCheck } from "../password-check.js";
import { lowIterations } from "./low-iterations.js";
import { md5Secret } from "./md5-secret.js";
import { noPassword } from "./no-password.js";
import { noValidUntil } from "./no-valid-until.js";
import { validUntilPast } from "./valid-until-past.js";
import { weakPassword } from "./weak-password.js";

/** Every password check, in the order a role's findings are reported when equally severe. */
export const PASSWORD_CHECKS: readonly PasswordCheck[] = [
  weakPassword,
  md5Secret,
  validUntilPast,
  lowIterations,
  noPassword,
  noValidUntil,
];
