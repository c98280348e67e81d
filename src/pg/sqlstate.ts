/** PostgreSQL's SQLSTATE for a missing privilege (42501), as node-postgres reports it in `error.code`. */
export const INSUFFICIENT_PRIVILEGE = "42501";

/** The SQLSTATE node-postgres gives a server error (`error.code`); undefined for any other error. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Did the server refuse for a missing privilege? */
export function isInsufficientPrivilege(error: unknown): boolean {
  return sqlState(error) === INSUFFICIENT_PRIVILEGE;
}
