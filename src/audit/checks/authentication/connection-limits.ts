import { quoteIdentifier } from "../../../core/identifier.js";
import { type AuditCheck } from "../../audit-check.js";
import { type RoleInfo, rolesFact } from "../../facts/roles.js";

/** Login roles without CONNECTION LIMIT (superusers are not held to one, so they are left out). */
export const connectionLimits: AuditCheck = {
  id: "authentication/connection-limits",
  title: "Login role without a connection limit",
  layer: "authentication",
  severity: "low",
  soc2: ["CC6.1", "A1.2"],
  cis: "5.5",
  scope: "server",
  why: "A role without CONNECTION LIMIT can take every connection slot (a leaked password, a runaway pool): the other applications and the administrators are locked out.",
  fix: "ALTER ROLE <role> CONNECTION LIMIT <n>; (in the inventory: connlimit: n on the role's pg_users entry, then pgwarden role apply)",
  facts: [rolesFact],
  run(context) {
    return context
      .fact(rolesFact)
      .filter((role) => role.login && !role.superuser && role.connectionLimit < 0 && !role.name.startsWith("pg_"))
      .map((role: RoleInfo) => ({
        subject: role.name,
        message: `login role ${role.name} has no connection limit`,
        evidence: [{ label: `role ${role.name}`, value: "LOGIN, CONNECTION LIMIT -1 (none)" }],
        fix: `ALTER ROLE ${quoteIdentifier(role.name)} CONNECTION LIMIT 100; -- the most sessions it should ever hold`,
      }));
  },
};
