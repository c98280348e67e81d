import { isMd5Secret } from "../md5.js";
import { parseScramVerifier, type ScramVerifier } from "../scram.js";

/** rolvaliduntil = '-infinity': the earliest time a JavaScript Date holds (ECMA-262: 10^8 days before the epoch). */
export const MINUS_INFINITY_MS = -8.64e15;

/** One row of pg_authid, as much of it as the password audit needs. */
export interface StoredRole {
  readonly name: string;
  /** rolpassword: a SCRAM verifier, an md5 secret, or null when the role has no password. */
  readonly secret: string | null;
  readonly canLogin: boolean;
  readonly superuser: boolean;
  /** rolvaliduntil; null when unset or 'infinity' (the password never expires), {@link MINUS_INFINITY_MS} for '-infinity'. */
  readonly validUntil: Date | null;
}

/** What kind of secret a role stores; `unknown` is anything PostgreSQL 10+ would not write. */
export type StoredSecret =
  | { readonly kind: "none" }
  | { readonly kind: "scram"; readonly verifier: ScramVerifier }
  | { readonly kind: "md5"; readonly secret: string }
  | { readonly kind: "unknown" };

export function storedSecret(role: Pick<StoredRole, "secret">): StoredSecret {
  if (role.secret === null || role.secret === "") return { kind: "none" };
  const verifier = parseScramVerifier(role.secret);
  if (verifier) return { kind: "scram", verifier };
  if (isMd5Secret(role.secret)) return { kind: "md5", secret: role.secret };
  return { kind: "unknown" };
}
