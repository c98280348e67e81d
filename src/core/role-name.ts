import { usageError } from "./errors.js";

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
export const MAX_ROLE_NAME_BYTES = 63;

/** Names CREATE ROLE refuses even quoted (gram.y RoleId: `role name "public" is reserved`); compared as written. */
export const SERVER_RESERVED_ROLE_NAMES: readonly string[] = ["public", "none"];

/**
 * Keywords that, written unquoted anywhere (GRANT, ALTER ROLE, psql), mean the session's role,
 * not a role of that name: CREATE ROLE takes them quoted, in any case, but pgwarden makes no
 * role a DBA could not name without quotes. Compared in lower case, as an unquoted mention folds.
 */
export const SESSION_ROLE_KEYWORDS: readonly string[] = ["current_user", "current_role", "session_user"];

/** The prefix CREATE ROLE refuses (IsReservedName): PostgreSQL's own roles (pg_monitor, ...). */
export const RESERVED_ROLE_PREFIX = "pg_";

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Why `name` cannot be quoted as one SQL identifier (see identifier.ts), or undefined: empty,
 * with a NUL, or longer than the server keeps (it would silently truncate it to another name).
 * `what` is the name's subject in the message: "role name", "--role", "client CN".
 */
export function identifierProblem(name: string, what = "name"): string | undefined {
  if (name.length === 0) return `expected a ${what}, got an empty string`;
  if (name.includes("\0")) return `${what} ${JSON.stringify(name)} contains a NUL character`;
  if (Buffer.byteLength(name, "utf8") > MAX_ROLE_NAME_BYTES)
    return `${what} ${JSON.stringify(name)} is longer than ${MAX_ROLE_NAME_BYTES} bytes, so PostgreSQL would truncate it: use a shorter name`;
  return undefined;
}

/**
 * Why `name`, written in an inventory or on the command line, cannot name a role (a member
 * of, a group granted), or undefined: an identifier problem, or a control character (a line
 * break would split the pg_hba line or the message that names it).
 */
export function roleNameProblem(name: string, what = "role name"): string | undefined {
  const problem = identifierProblem(name, what);
  if (problem) return problem;
  if (CONTROL_CHARACTER.test(name)) return `${what} ${JSON.stringify(name)} contains a control character`;
  return undefined;
}

/**
 * Why pgwarden must not make (or certify as) a role named `name`, or undefined: a role-name
 * problem, a name CREATE ROLE refuses (`pg_...`, `public`, `none`, case-sensitive as the server
 * compares them: `"PG_x"` and `"Public"` are roles it makes), or a session keyword in any case.
 */
export function newRoleNameProblem(name: string, what = "role name"): string | undefined {
  const problem = roleNameProblem(name, what);
  if (problem) return problem;
  if (name.startsWith(RESERVED_ROLE_PREFIX))
    return `${what} ${JSON.stringify(name)} starts with "${RESERVED_ROLE_PREFIX}", which PostgreSQL reserves for its own roles: choose another name`;
  if (SERVER_RESERVED_ROLE_NAMES.includes(name))
    return `${what} ${JSON.stringify(name)} is reserved: PostgreSQL refuses it as a role name: choose another name`;
  if (SESSION_ROLE_KEYWORDS.includes(name.toLowerCase()))
    return `${what} ${JSON.stringify(name)} is a keyword: written without quotes (GRANT, ALTER ROLE, psql) it means the session's role, not this one: choose another name`;
  return undefined;
}

/** The name of a role pgwarden makes or certifies, checked ({@link newRoleNameProblem}); a usage error (exit 2) otherwise. */
export function checkNewRoleName(name: string, what = "role name"): string {
  const problem = newRoleNameProblem(name, what);
  if (problem) throw usageError("bad-role-name", problem);
  return name;
}
