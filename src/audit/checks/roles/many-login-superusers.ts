import { quoteIdentifier } from "../../../core/identifier.js";
import { type AuditCheck } from "../../audit-check.js";
import { rolesFact } from "../../facts/roles.js";
import { inventoryUsersFact } from "./facts/inventory-users.js";
import { type LoginSuperuser, loginSuperusersFact } from "./facts/login-superusers.js";
import { membershipChain } from "./membership-chain.js";

/** Someone who can log in and act as a superuser: a login superuser, or a login member of a superuser role. */
interface SuperuserLogin {
  readonly name: string;
  readonly superuser?: LoginSuperuser;
  /** For a member: the memberships that lead to a superuser role, the role itself first. */
  readonly chain?: readonly string[];
}

/**
 * More than one role that can log in and act as a superuser: each is a key to everything.
 * A login member of a superuser role counts (SET ROLE makes it one). The bootstrap superuser
 * without a password (Pigsty's `postgres`, local peer only) is not counted; of the others one
 * is kept (the inventory's admin user, else the bootstrap superuser, which cannot be demoted,
 * else the oldest login superuser, else the first member by name) and each other is a finding.
 */
export const manyLoginSuperusers: AuditCheck = {
  id: "roles/many-login-superusers",
  title: "More than one superuser can log in",
  layer: "access-control",
  severity: "medium",
  soc2: ["CC6.1"],
  cis: "4.3",
  scope: "server",
  why:
    "A superuser bypasses every privilege, row-level security and audit setting, and can run programs as " +
    "the server's OS user; each extra one (or each login role that may SET ROLE to one) is another " +
    "password or key that gives all of it away, and hides who did what.",
  fix:
    "Keep one administrative superuser; ALTER ROLE <role> NOSUPERUSER; for the others (REVOKE <superuser " +
    "role> FROM <member>; for members) and grant them only what they need (pg_monitor, pg_read_all_data, " +
    "...).",
  facts: [loginSuperusersFact, rolesFact],
  optionalFacts: [inventoryUsersFact],
  run(context) {
    const roles = context.fact(rolesFact);
    const byName = new Map(roles.map((role) => [role.name, role]));
    const superuserRoles = new Set(roles.filter((role) => role.superuser).map((role) => role.name));
    const counted: SuperuserLogin[] = [
      ...context
        .fact(loginSuperusersFact)
        .filter((superuser) => !(superuser.bootstrap && superuser.hasPassword === false))
        .map((superuser) => ({ name: superuser.name, superuser })),
      ...roles
        .filter((role) => role.login && !role.superuser)
        .map((role) => ({ name: role.name, chain: membershipChain(role, (name) => superuserRoles.has(name), byName) }))
        .filter((member) => member.chain !== undefined),
    ];
    if (counted.length <= 1) return [];
    const [kept, why] = keptLogin(counted, context.optional(inventoryUsersFact)?.admin);
    const names = counted.map((login) => login.name).join(", ");
    return counted
      .filter((login) => login !== kept)
      .map((login) => ({
        subject: login.name,
        message: `${login.name} can log in as a superuser beside ${kept.name} (${counted.length} can: ${names})`,
        evidence: [
          login.superuser
            ? { label: `role ${login.name}`, value: `SUPERUSER LOGIN, ${passwordText(login.superuser)}` }
            : { label: `role ${login.name}`, value: `LOGIN, member of ${chainText(login.chain)} (a superuser role)` },
          { label: "roles that can log in as a superuser", value: names },
          { label: "kept as the administrative superuser", value: `${kept.name} (${why})` },
        ],
        fix: fixFor(login),
      }));
  },
};

function keptLogin(counted: readonly SuperuserLogin[], admin: string | undefined): [SuperuserLogin, string] {
  const declared = counted.find((login) => login.name === admin);
  if (declared) return [declared, "the inventory's pg_admin_username"];
  const bootstrap = counted.find((login) => login.superuser?.bootstrap);
  if (bootstrap) return [bootstrap, "the bootstrap superuser, which cannot lose SUPERUSER"];
  const oldest = counted.find((login) => login.superuser);
  if (oldest) return [oldest, "the oldest login superuser"];
  return [counted[0] as SuperuserLogin, "the first by name"];
}

function fixFor(login: SuperuserLogin): string {
  const role = quoteIdentifier(login.name);
  if (login.superuser?.bootstrap)
    return `ALTER ROLE ${role} PASSWORD NULL;  -- the bootstrap superuser stays, reachable only by peer or ident on the host`;
  if (login.superuser)
    return `ALTER ROLE ${role} NOSUPERUSER;  -- then grant it only what it needs (pg_monitor, pg_read_all_data, ...)`;
  // The membership the role holds directly: revoking it cuts the chain to the superuser role.
  const chain = login.chain ?? [];
  return `REVOKE ${quoteIdentifier(chain[1] as string)} FROM ${role};`;
}

function chainText(chain: readonly string[] | undefined): string {
  return (chain ?? []).slice(1).join(" -> member of ");
}

function passwordText(superuser: LoginSuperuser): string {
  if (superuser.hasPassword === null) return "password unknown (only a superuser may read pg_authid)";
  return superuser.hasPassword ? "has a password" : "no password";
}
