import { checkNewRoleName } from "../core/role-name.js";
import { validateCommonName } from "./names/common-name.js";

/**
 * The CN of a client certificate is the PostgreSQL role it logs in as (`cert` auth), so it is
 * held to both rules: a CN that is safe as a file name (common-name.ts) and the name of a role
 * pgwarden could make (core/role-name.ts: no `pg_`, no reserved word, not truncated).
 */
export function validateRoleName(name: string, what = "client CN"): string {
  return checkNewRoleName(validateCommonName(name, what), what);
}
