import { type AuditCheck } from "./audit-check.js";

/**
 * The finding for a server the audit could not log in to: the report says so, with the
 * reason, instead of the audit ending. Made by the runner, so it has no facts of its own.
 */
export const targetUnreachable: AuditCheck = {
  id: "target/unreachable",
  title: "Server could not be audited",
  layer: "network",
  severity: "high",
  soc2: ["CC7.2"],
  scope: "server",
  why: "A server the audit cannot reach is a server nobody knows the state of: down, moved, or refusing the auditor.",
  fix: "Check that the server is up and that --conn (or the inventory's connection settings) reaches it with a role that may log in; grant pg_monitor to an auditor role if a superuser is not wanted.",
  facts: [],
  run: () => [],
};
