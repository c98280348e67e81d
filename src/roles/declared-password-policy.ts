import { PIGSTY_DEFAULT_PASSWORDS } from "../config/pigsty-defaults.js";
import { ExitCode, PgwardenError } from "../errors.js";
import { sourcePrefix } from "../hba/model.js";
import { knownPasswordDenylist } from "./audit/candidates/known-password-denylist.js";
import { passwordViolations, type PasswordPolicy } from "./password-policy.js";
import type { RoleModel } from "./role-model.js";

/**
 * The system users' passwords Pigsty ships (pg_admin_password and the others in
 * roles/pgsql/defaults/main.yml): published, so never installed. Refusing them makes an
 * inventory that leaves them out fail at plan time, telling the person to set them.
 */
const VENDOR_DEFAULT_PASSWORDS: ReadonlyMap<string, string> = new Map(PIGSTY_DEFAULT_PASSWORDS.map(([key, value]) => [value.toLowerCase(), key]));

/**
 * Checks every plaintext password the model declares against `policy` (passwordcheck's
 * rules and the stricter options), Pigsty's published defaults, and the vendor defaults and
 * common passwords `password audit` tries first, before anything reaches a
 * server. The first problem is thrown as an invalid config (exit 3) naming where the password
 * was written, the role and the rule, with a count of the others; never the password.
 */
export function checkDeclaredPasswords(model: RoleModel, policy: PasswordPolicy = {}): void {
  // What `password audit` guesses first is refused here, so the audit never finds it later.
  const denylist = new Set([...knownPasswordDenylist(), ...(policy.denylist ?? [])]);
  const problems: string[] = [];
  for (const role of model.roles) {
    const password = role.password;
    if (role.state !== "create" || password?.kind !== "plaintext") continue;
    const where = password.source ?? role.source;
    const prefix = `${sourcePrefix(where)}${role.name}: password from ${password.from}`;
    const vendorKey = VENDOR_DEFAULT_PASSWORDS.get(password.value.toLowerCase());
    if (vendorKey !== undefined) problems.push(`${prefix} is Pigsty's published default for ${vendorKey}: set a password of your own (rule vendor-default)`);
    for (const violation of passwordViolations(password.value, role.name, { ...policy, denylist: vendorKey === undefined ? denylist : undefined })) {
      problems.push(`${prefix} ${violation.message} (rule ${violation.id})`);
    }
  }
  const first = problems[0];
  if (first !== undefined) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more ${problems.length === 2 ? "problem" : "problems"})` : "";
    throw new PgwardenError("password-policy", `${first}${more}`, ExitCode.config);
  }
}
