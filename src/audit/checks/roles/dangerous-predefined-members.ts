import { quoteIdentifier } from "../../../core/identifier.js";
import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { rolesFact } from "../../facts/roles.js";
import { membershipChain } from "./membership-chain.js";
import { nameInComment } from "./sql-names.js";

/** The predefined roles that reach the server's files and programs as its OS user. */
const DANGEROUS_ROLES = ["pg_execute_server_program", "pg_read_server_files", "pg_write_server_files"] as const;

/**
 * Non-superusers that are members, directly or through other roles, of a predefined role that
 * reaches the host: COPY ... PROGRAM, or reading and writing any file the server's OS user can.
 * Membership counts whether or not it is inherited: NOINHERIT still allows SET ROLE.
 */
export const dangerousPredefinedMembers: AuditCheck = {
  id: "roles/dangerous-predefined-members",
  title: "Member of a predefined role that reaches the server's files or programs",
  layer: "access-control",
  severity: "high",
  soc2: ["CC6.1"],
  cis: "4.9",
  scope: "server",
  why:
    "pg_execute_server_program runs any program as the server's OS user (COPY ... PROGRAM); " +
    "pg_read_server_files and pg_write_server_files read and write any file it can, the data directory, " +
    "keys and configuration included. Each is as good as superuser for an attacker.",
  fix: "REVOKE <predefined role> FROM <role>;",
  facts: [rolesFact],
  run(context) {
    const roles = context.fact(rolesFact);
    const byName = new Map(roles.map((role) => [role.name, role]));
    const findings: FindingDraft[] = [];
    for (const role of roles) {
      if (role.superuser) continue;
      for (const dangerous of DANGEROUS_ROLES) {
        const chain = membershipChain(role, (name) => name === dangerous, byName);
        if (!chain) continue;
        // The grant to revoke is the one that gives the predefined role: the last link of the chain.
        const holder = chain[chain.length - 2] as string;
        const through = chain.length > 2 ? ` through ${chain.slice(1, -1).join(", ")}` : "";
        findings.push({
          subject: `${role.name}: ${dangerous}`,
          message: `${role.name} is a member of ${dangerous}${through}`,
          evidence: [{ label: `role ${role.name}`, value: `member of ${chain.slice(1).join(" -> member of ")}` }],
          fix:
            `REVOKE ${dangerous} FROM ${quoteIdentifier(holder)};` +
            (holder === role.name ? "" : `  -- ${nameInComment(role.name)} holds it through ${nameInComment(holder)}`),
        });
      }
    }
    return findings;
  },
};
