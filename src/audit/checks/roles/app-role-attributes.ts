import { quoteIdentifier } from "../../../core/identifier.js";
import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { type Evidence } from "../../audit-finding.js";
import { type RoleInfo, rolesFact } from "../../facts/roles.js";
import { inventoryUsersFact } from "./facts/inventory-users.js";
import { walSendersFact } from "./facts/wal-senders.js";

/**
 * CREATEROLE, REPLICATION or BYPASSRLS on an application role: a login role that is neither a
 * superuser nor the replication user. The replication user is the inventory's
 * pg_replication_username; without an inventory, a role seen replicating now or one whose only
 * such attribute is REPLICATION (nothing else tells it apart from an application's).
 */
export const appRoleAttributes: AuditCheck = {
  id: "roles/app-role-attributes",
  title: "Application role with CREATEROLE, REPLICATION or BYPASSRLS",
  layer: "access-control",
  severity: "high",
  soc2: ["CC6.1"],
  cis: "4.3",
  scope: "server",
  why:
    "CREATEROLE lets a role make roles and (before PostgreSQL 16) grant itself almost any role, " +
    "pg_execute_server_program included; REPLICATION lets it copy every table through a base backup; " +
    "BYPASSRLS ignores every row-level security policy. An application's password leaked or an injection " +
    "in it then reaches far more than the application's data.",
  fix: "ALTER ROLE <role> NOCREATEROLE NOREPLICATION NOBYPASSRLS; (and remove those attributes from the role's entry in the inventory)",
  facts: [rolesFact],
  optionalFacts: [inventoryUsersFact, walSendersFact],
  run(context) {
    const inventory = context.optional(inventoryUsersFact);
    const replicating = new Set((context.optional(walSendersFact) ?? []).map((sender) => sender.user));
    const findings: FindingDraft[] = [];
    for (const role of context.fact(rolesFact)) {
      if (!role.login || role.superuser) continue;
      const granted: string[] = [];
      if (role.createRole) granted.push("CREATEROLE");
      if (role.bypassRls) granted.push("BYPASSRLS");
      const replicationUser = inventory
        ? role.name === inventory.replication
        : replicating.has(role.name) || granted.length === 0;
      if (role.replication && !replicationUser) granted.push("REPLICATION");
      if (granted.length === 0) continue;
      const evidence: Evidence[] = [{ label: `role ${role.name}`, value: `LOGIN ${attributesText(role)}` }];
      if (inventory)
        evidence.push({
          label: "replication user",
          value: `${inventory.replication} (pg_replication_username in ${inventory.file})`,
        });
      findings.push({
        subject: role.name,
        message: `application role ${role.name} has ${granted.join(", ")}`,
        evidence,
        fix: `ALTER ROLE ${quoteIdentifier(role.name)} ${granted.map((attribute) => `NO${attribute}`).join(" ")};`,
      });
    }
    return findings;
  },
};

function attributesText(role: RoleInfo): string {
  const attributes = [
    role.createRole ? "CREATEROLE" : undefined,
    role.createDb ? "CREATEDB" : undefined,
    role.replication ? "REPLICATION" : undefined,
    role.bypassRls ? "BYPASSRLS" : undefined,
  ].filter((attribute) => attribute !== undefined);
  return attributes.join(" ");
}
