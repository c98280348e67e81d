import { quoteIdentifier } from "../../../core/identifier.js";
import { type AuditCheck } from "../../audit-check.js";
import { inventoryUsersFact } from "./facts/inventory-users.js";
import { type LoginSuperuser, loginSuperusersFact } from "./facts/login-superusers.js";

/**
 * More than one superuser that can log in with a credential: each is a key to everything.
 * The bootstrap superuser without a password (Pigsty's `postgres`, local peer only) is not
 * counted; of the others one is kept (the inventory's admin user, else the bootstrap
 * superuser, which cannot be demoted, else the oldest) and each other is a finding.
 */
export const manyLoginSuperusers: AuditCheck = {
  id: "roles/many-login-superusers",
  title: "More than one superuser can log in",
  layer: "access-control",
  severity: "medium",
  soc2: ["CC6.1"],
  cis: "4.3",
  scope: "server",
  why: "A superuser bypasses every privilege, row-level security and audit setting, and can run programs as the server's OS user; each extra one is another password or key that gives all of it away, and hides who did what.",
  fix: "Keep one administrative superuser; ALTER ROLE <role> NOSUPERUSER; for the others and grant them only what they need (pg_monitor, pg_read_all_data, ...).",
  facts: [loginSuperusersFact],
  optionalFacts: [inventoryUsersFact],
  run(context) {
    const counted = context
      .fact(loginSuperusersFact)
      .filter((superuser) => !(superuser.bootstrap && superuser.hasPassword === false));
    if (counted.length <= 1) return [];
    const admin = context.optional(inventoryUsersFact)?.admin;
    const [kept, why] = keptSuperuser(counted, admin);
    const names = counted.map((superuser) => superuser.name).join(", ");
    return counted
      .filter((superuser) => superuser !== kept)
      .map((superuser) => ({
        subject: superuser.name,
        message: `${superuser.name} is a login superuser beside ${kept.name} (${counted.length} can log in: ${names})`,
        evidence: [
          { label: `role ${superuser.name}`, value: `SUPERUSER LOGIN, ${passwordText(superuser)}` },
          { label: "login superusers", value: names },
          { label: "kept as the administrative superuser", value: `${kept.name} (${why})` },
        ],
        fix: superuser.bootstrap
          ? `ALTER ROLE ${quoteIdentifier(superuser.name)} PASSWORD NULL;  -- the bootstrap superuser stays, reachable only by peer or ident on the host`
          : `ALTER ROLE ${quoteIdentifier(superuser.name)} NOSUPERUSER;  -- then grant it only what it needs (pg_monitor, pg_read_all_data, ...)`,
      }));
  },
};

function keptSuperuser(counted: readonly LoginSuperuser[], admin: string | undefined): [LoginSuperuser, string] {
  const declared = counted.find((superuser) => superuser.name === admin);
  if (declared) return [declared, "the inventory's pg_admin_username"];
  const bootstrap = counted.find((superuser) => superuser.bootstrap);
  if (bootstrap) return [bootstrap, "the bootstrap superuser, which cannot lose SUPERUSER"];
  return [counted[0] as LoginSuperuser, "the oldest login superuser"];
}

function passwordText(superuser: LoginSuperuser): string {
  if (superuser.hasPassword === null) return "password unknown (only a superuser may read pg_authid)";
  return superuser.hasPassword ? "has a password" : "no password";
}
