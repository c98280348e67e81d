import { quoteIdentifier } from "../../../core/identifier.js";
import { type AuditCheck } from "../../audit-check.js";
import { type RoleInfo, rolesFact } from "../../facts/roles.js";

/** The roles a finding names in its subject, message and evidence; its fix names every one. */
const MAX_ROLES_SHOWN = 20;

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
    const roles = context
      .fact(rolesFact)
      .filter((role) => role.login && !role.superuser && role.connectionLimit < 0 && !role.name.startsWith("pg_"));
    if (roles.length === 0) return [];
    // ONE finding for all of them: 200 application roles are one decision, not 200 lines of the report.
    const shown = roles.slice(0, MAX_ROLES_SHOWN);
    const more = roles.length - shown.length;
    const names = shown.map((role: RoleInfo) => role.name).join(", ") + (more > 0 ? ` and ${more} more` : "");
    return [
      {
        subject: names,
        message:
          roles.length === 1
            ? `login role ${names} has no connection limit`
            : `${roles.length} login roles have no connection limit: ${names}`,
        evidence: [
          ...shown.map((role) => ({ label: `role ${role.name}`, value: "LOGIN, CONNECTION LIMIT -1 (none)" })),
          ...(more > 0 ? [{ label: `${more} more roles`, value: "LOGIN, CONNECTION LIMIT -1 (none)" }] : []),
        ],
        fix:
          roles.map((role) => `ALTER ROLE ${quoteIdentifier(role.name)} CONNECTION LIMIT 100;`).join(" ") +
          " -- the most sessions each should ever hold",
      },
    ];
  },
};
