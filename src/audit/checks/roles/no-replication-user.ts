import { quoteIdentifier } from "../../../core/identifier.js";
import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { type Evidence } from "../../audit-finding.js";
import { type RoleInfo, rolesFact } from "../../facts/roles.js";
import { inventoryUsersFact } from "./facts/inventory-users.js";
import { walSendersFact } from "./facts/wal-senders.js";
import { nameInComment } from "./sql-names.js";

/**
 * Replication done by a superuser instead of a replication-only role: a standby streaming now
 * as a superuser (pg_stat_replication), or, with an inventory, its replication user missing
 * or unable to replicate. A standalone server with no replica and no inventory is not judged:
 * nothing says it replicates.
 */
export const noReplicationUser: AuditCheck = {
  id: "roles/no-replication-user",
  title: "No replication-only user: replication is done by a superuser",
  layer: "access-control",
  severity: "high",
  soc2: ["CC6.1"],
  cis: "7.1",
  scope: "server",
  why:
    "A standby or backup tool that logs in as a superuser keeps a superuser's password (or key) on " +
    "another machine and in its configuration; a role with REPLICATION alone can stream WAL and take base " +
    "backups and nothing more.",
  fix:
    "CREATE ROLE replicator LOGIN REPLICATION; then give it a password (psql: \\password replicator), a " +
    "`host replication replicator <standby>/32 scram-sha-256` rule, and point each standby's " +
    "primary_conninfo at user=replicator",
  facts: [rolesFact],
  optionalFacts: [walSendersFact, inventoryUsersFact],
  run(context) {
    const roles = context.fact(rolesFact);
    const inventory = context.optional(inventoryUsersFact);
    const replicators = roles.filter((role) => role.login && role.replication && !role.superuser);
    const superSenders = (context.optional(walSendersFact) ?? []).filter((sender) => sender.superuser);
    const name = inventory?.replication ?? replicators[0]?.name ?? "replicator";
    const existing = roles.find((role) => role.name === name);
    if (superSenders.length > 0) {
      return [
        finding(
          `replication runs as superuser ${[...new Set(superSenders.map((sender) => sender.user))].join(", ")}`,
          superSenders.map((sender) => ({
            label: "pg_stat_replication",
            value:
              `user ${sender.user} (superuser), application_name ${sender.applicationName ?? "?"}` +
              `, client ${sender.clientAddress ?? "(hidden or local)"}, state ${sender.state ?? "?"}`,
          })),
          name,
          existing,
        ),
      ];
    }
    if (!inventory) return [];
    if (existing && existing.login && existing.replication && !existing.superuser) return [];
    const state = !existing
      ? "does not exist"
      : existing.superuser
        ? "is a superuser"
        : `lacks ${[existing.login ? "" : "LOGIN", existing.replication ? "" : "REPLICATION"].filter(Boolean).join(" and ")}`;
    return [
      {
        ...finding(
          `the inventory's replication user ${name} ${state}`,
          [{ label: "replication user", value: `${name} (pg_replication_username in ${inventory.file}) ${state}` }],
          name,
          existing,
        ),
        severity: "medium",
      },
    ];
  },
};

function finding(message: string, evidence: Evidence[], name: string, existing: RoleInfo | undefined): FindingDraft {
  const role = quoteIdentifier(name);
  const ready = existing !== undefined && existing.login && existing.replication && !existing.superuser;
  const statement = !existing
    ? `CREATE ROLE ${role} LOGIN REPLICATION;\n-- then `
    : ready
      ? `-- ${nameInComment(name)} can already replicate: `
      : `ALTER ROLE ${role} LOGIN REPLICATION NOSUPERUSER;\n-- then `;
  return {
    subject: "replication",
    message,
    evidence,
    fix:
      `${statement}give it a password (psql: \\password ${nameInComment(name)}), a \`host replication ${nameInComment(name)} ` +
      `<standby>/32 scram-sha-256\` rule, and point each standby's primary_conninfo (or backup tool) at user=${nameInComment(name)}`,
  };
}
