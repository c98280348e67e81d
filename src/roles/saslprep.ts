import saslprepLibrary from "@mongodb-js/saslprep";

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * The password string PostgreSQL feeds to PBKDF2 for SCRAM (its `pg_saslprep` as used by
 * `scram_build_secret` and the server's SCRAM exchange):
 * - pure ASCII is used as it is (PostgreSQL skips SASLprep for it, control characters too);
 * - otherwise RFC 4013 SASLprep (map, NFKC, prohibited characters, bidi rules);
 * - a password SASLprep refuses (prohibited or unassigned code points) is used unprepared,
 *   as PostgreSQL does, so such a password still works, byte for byte.
 */
export function saslprepPassword(password: string): string {
  if (ASCII_ONLY.test(password)) return password;
  try {
    return saslprepLibrary(password);
  } catch {
    return password;
  }
}
