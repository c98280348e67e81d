import { PIGSTY_DEFAULT_PASSWORDS, PIGSTY_DEFAULTS_ORIGIN } from "../config/pigsty-defaults.js";
import { problemAt, problemsError } from "../config/problem-list.js";
import { ExitCode, type Problem } from "../core/errors.js";
import { knownPasswordDenylist } from "./audit/candidates/known-password-denylist.js";
import type { DesiredRole } from "./desired-role.js";
import { type PasswordPolicy, passwordViolations } from "./password-policy.js";
import type { RoleModel } from "./role-model.js";

/**
 * The system users' passwords Pigsty ships (pg_admin_password and the others in
 * roles/pgsql/defaults/main.yml): published, so never installed. Refusing them makes an
 * inventory that leaves them out fail at plan time, telling the person to set them.
 */
const VENDOR_DEFAULT_PASSWORDS: ReadonlyMap<string, string> = new Map(
  PIGSTY_DEFAULT_PASSWORDS.map(([key, value]) => [value.toLowerCase(), key]),
);

/** What a password is called in its problems: the role, and where the password came from (a default says whose). */
function passwordLabel(role: DesiredRole, from: string, pigstyDefault: string | undefined, cluster: string): string {
  if (pigstyDefault === undefined) return `${role.name}: password from ${from}`;
  return `${role.name}: password from ${pigstyDefault} (not set for ${cluster}: Pigsty's default from ${PIGSTY_DEFAULTS_ORIGIN})`;
}

/**
 * Every problem with the plaintext passwords the model declares, checked against `policy`
 * (passwordcheck's rules and the stricter options), Pigsty's published defaults, and the vendor
 * defaults and common passwords `password audit` tries first, before anything reaches a server.
 * Each is placed where the password was written, or, for one of Pigsty's defaults, at the
 * entry of the cluster it comes into force for; never quoting the password.
 */
export function declaredPasswordProblems(model: RoleModel, policy: PasswordPolicy = {}): Problem[] {
  // What `password audit` guesses first is refused here, so the audit never finds it later.
  const denylist = new Set([...knownPasswordDenylist(), ...(policy.denylist ?? [])]);
  const problems: Problem[] = [];
  // Every password an entry declares, the replaced ones too: no entry hides another's problem.
  const declared = model.roles.flatMap((role) =>
    [...(role.overriddenPasswords ?? []), ...(role.password ? [role.password] : [])].map((password) => ({
      role,
      password,
    })),
  );
  for (const { role, password } of declared) {
    if (role.state !== "create" || password.kind !== "plaintext") continue;
    const where = password.source ?? role.source;
    const label = passwordLabel(role, password.from, password.pigstyDefault, model.cluster);
    // A model built by hand may not know where a role was written: the problem says so with an empty file.
    const add = (message: string, rule: string) =>
      problems.push(where ? problemAt(where, message, rule) : { file: "", line: 0, severity: "error", message, rule });
    const vendorKey = VENDOR_DEFAULT_PASSWORDS.get(password.value.toLowerCase());
    if (vendorKey !== undefined) {
      const fix =
        password.pigstyDefault === undefined
          ? "set a password of your own"
          : `set ${password.pigstyDefault} in all.vars or in ${model.cluster}'s vars`;
      add(`${label} is Pigsty's published default for ${vendorKey}: ${fix} (rule vendor-default)`, "vendor-default");
    }
    for (const violation of passwordViolations(password.value, role.name, {
      ...policy,
      denylist: vendorKey === undefined ? denylist : undefined,
    })) {
      add(`${label} ${violation.message} (rule ${violation.id})`, violation.id);
    }
  }
  return problems;
}

/**
 * Throws every problem {@link declaredPasswordProblems} finds as one invalid config (exit 3),
 * `password-policy`: one problem is the message (`file:line: role: ... (rule id)`), several
 * are summed up and listed in the error's `problems`. The model's own problems (a role declared
 * twice) are listed with them, warnings included; an error among them makes it `invalid-role-model`.
 * Warnings alone throw nothing: they stay in the model's `problems`, for the caller to show.
 */
export function checkDeclaredPasswords(model: RoleModel, policy: PasswordPolicy = {}): void {
  const passwords = declaredPasswordProblems(model, policy);
  const modelErrors = model.problems.some((problem) => problem.severity === "error");
  if (passwords.length === 0 && !modelErrors) return;
  const problems = [...model.problems, ...passwords];
  if (!modelErrors) {
    throw problemsError("password-policy", problems, ExitCode.config, {
      many:
        model.problems.length === 0
          ? "password policy problems"
          : "problems with the declared roles and their passwords",
      after: "nothing was sent to a server; set passwords that pass, then run again",
    });
  }
  throw problemsError("invalid-role-model", problems, ExitCode.config, {
    many:
      passwords.length === 0
        ? "problems with the declared roles"
        : "problems with the declared roles and their passwords",
    after: `nothing was sent to a server; declare each role once${passwords.length === 0 ? "" : " and set passwords that pass"}, then run again`,
  });
}
