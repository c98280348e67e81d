import { COMMON_PASSWORDS } from "./common-passwords.js";
import { VENDOR_DEFAULT_PASSWORDS } from "./vendor-defaults.js";

/**
 * The passwords the audit guesses first, as a password-policy denylist (lower case, as
 * the policy compares): refusing them up front means the audit never finds them later.
 */
export function knownPasswordDenylist(): ReadonlySet<string> {
  return new Set([...VENDOR_DEFAULT_PASSWORDS, ...COMMON_PASSWORDS].map((password) => password.toLowerCase()));
}
