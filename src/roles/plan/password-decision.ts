import type { DesiredPassword } from "../desired-role.js";
import { md5Secret } from "../md5.js";
import { parseScramVerifier, scramMatches, scramVerifier } from "../scram.js";

export interface PasswordDecisionOptions {
  /** Iterations of a new SCRAM verifier, and the fewest a stored one may have to be kept. */
  readonly iterations: number;
  readonly encryption: "scram-sha-256" | "md5";
  /** A fresh salt for each new verifier; default random (scramVerifier's own). */
  readonly salt?: () => Buffer;
}

/** Either the stored secret already holds the declared password, or the secret to store and why (never the password). */
export type PasswordDecision =
  { readonly change: false } | { readonly change: true; readonly secret: string; readonly reason: string };

const KEEP: PasswordDecision = { change: false };

/**
 * Compares a declared password with what the server stores. A plaintext password is checked
 * against a stored SCRAM verifier by recomputing it with that verifier's salt and iterations,
 * so the same password is no change; a new one becomes a fresh verifier, computed here, so
 * the plaintext never reaches the server. A pre-hashed secret is compared as a string.
 */
export function decidePassword(
  roleName: string,
  desired: DesiredPassword,
  stored: string | null,
  options: PasswordDecisionOptions,
): PasswordDecision {
  const none = stored === null || stored === "";
  if (desired.kind !== "plaintext") {
    if (stored === desired.secret) return KEEP;
    return {
      change: true,
      secret: desired.secret,
      reason: none ? "password set (none stored)" : "password replaced by the declared secret",
    };
  }
  const verifier = none ? undefined : parseScramVerifier(stored);
  if (verifier && scramMatches(desired.value, verifier)) {
    if (verifier.iterations >= options.iterations) return KEEP;
    return {
      change: true,
      secret: newVerifier(desired.value, options),
      reason: `password re-hashed: the stored verifier has ${verifier.iterations} iterations, fewer than ${options.iterations}`,
    };
  }
  if (options.encryption === "md5") {
    const secret = md5Secret(desired.value, roleName);
    if (stored === secret) return KEEP;
    return {
      change: true,
      secret,
      reason: none ? "password set (none stored)" : "password differs from the stored one",
    };
  }
  const reason = none
    ? "password set (none stored)"
    : verifier
      ? "password differs from the stored one"
      : "password stored as md5 (or unknown): now SCRAM-SHA-256";
  return { change: true, secret: newVerifier(desired.value, options), reason };
}

function newVerifier(password: string, options: PasswordDecisionOptions): string {
  return scramVerifier(password, { iterations: options.iterations, salt: options.salt?.() });
}
