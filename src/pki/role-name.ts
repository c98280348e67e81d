import { usageError } from "../core/errors.js";
import { MAX_ROLE_NAME_BYTES } from "../core/role-name.js";
import { validateCommonName } from "./common-name.js";

/** Names PostgreSQL refuses for CREATE ROLE. */
const RESERVED_ROLE_NAMES = new Set(["public", "none", "current_user", "current_role", "session_user"]);

/**
 * The CN of a client certificate is the PostgreSQL role it logs in as (`cert` auth),
 * so it must be a name PostgreSQL would accept for a role and would not truncate.
 */
export function validateRoleName(name: string, what = "client CN"): string {
  validateCommonName(name, what);
  if (Buffer.byteLength(name, "utf8") > MAX_ROLE_NAME_BYTES) {
    throw usageError(
      "bad-role-name",
      `${what} "${name}" is longer than ${MAX_ROLE_NAME_BYTES} bytes, so PostgreSQL would truncate the role name: use a shorter role`,
    );
  }
  if (name.toLowerCase().startsWith("pg_")) {
    throw usageError(
      "bad-role-name",
      `${what} "${name}" starts with "pg_", which PostgreSQL reserves for built-in roles`,
    );
  }
  if (RESERVED_ROLE_NAMES.has(name.toLowerCase())) {
    throw usageError("bad-role-name", `${what} "${name}" is a reserved word PostgreSQL does not accept as a role name`);
  }
  return name;
}
