/*
 * What a role's stored password (pg_authid.rolpassword) lets the password methods do, as
 * PostgreSQL 15 decides it (crypt.c get_role_password, auth.c CheckPWChallengeAuth and
 * CheckPasswordAuth). Shared by hba apply's lockout check and hba explain.
 */

/** What a stored password lets a password method check: none, a SCRAM verifier, or an MD5 hash (or plain text). */
export type PasswordKind = "none" | "scram" | "md5";

/** The methods that check a password against the role's stored one. */
export const PASSWORD_METHODS: ReadonlySet<string> = new Set(["scram-sha-256", "md5", "password"]);

/** SQL for the {@link PasswordKind} of `column` (pg_authid.rolpassword): the kind only, never the secret. */
export function passwordKindSql(column: string): string {
  return `CASE WHEN ${column} IS NULL THEN 'none' WHEN ${column} LIKE 'SCRAM-SHA-256$%' THEN 'scram' ELSE 'md5' END`;
}

/** What pgwarden knows of a role's stored password. */
export interface StoredPassword {
  /** Undefined when not known (pg_authid is for superusers only). */
  readonly kind?: PasswordKind;
  /** rolvaliduntil is in the past (by the server's clock); undefined when not known. */
  readonly expired?: boolean;
  /** rolvaliduntil as the server prints it, for the reason. */
  readonly validUntil?: string;
}

/**
 * Why a password `method` refuses `role` whatever password the client sends, or undefined when
 * the right password gets in. get_role_password returns no secret for a role without one or
 * whose VALID UNTIL has passed; scram-sha-256 then runs a mock exchange that fails, and so it
 * does for an MD5 secret ("does not have a valid SCRAM secret"). md5 does MD5 with an MD5
 * secret and SCRAM with a SCRAM one; password compares the clear text with either.
 */
export function storedPasswordProblem(method: string, role: string, stored: StoredPassword): string | undefined {
  if (!PASSWORD_METHODS.has(method)) return undefined;
  if (stored.kind === "none") return `${role} has no password, so ${method} refuses it`;
  if (stored.expired === true)
    return `${role}'s password expired (VALID UNTIL ${stored.validUntil ?? "in the past"}), so ${method} refuses it`;
  if (method === "scram-sha-256" && stored.kind === "md5")
    return `${role}'s password is stored as MD5, so scram-sha-256 refuses it`;
  return undefined;
}
