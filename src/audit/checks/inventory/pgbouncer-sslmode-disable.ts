import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";
import {
  clusterScopes,
  pgsqlPlaybook,
  shownValue,
  valuesOver,
  varEvidence,
  varOrigin,
  varSubject,
} from "./inventory-values.js";

/** pgbouncer's client_tls_sslmode values that let a client talk without TLS: disable refuses TLS outright. */
const PLAINTEXT_MODES = ["disable", "allow", "prefer"];

/** `pgbouncer_sslmode: disable` (Pigsty's default): clients of the pooler cannot use TLS at all. */
export const pgbouncerSslmodeDisable: AuditCheck = {
  id: "inventory/pgbouncer-sslmode-disable",
  title: "pgbouncer accepts clients without TLS",
  layer: "network",
  severity: "high",
  soc2: ["CC6.6", "CC6.7"],
  cis: "6.8",
  scope: "inventory",
  why: "Pigsty's services (ports 5433/5434) route through pgbouncer: with client_tls_sslmode disable every pooled session, queries and results, crosses the network in clear whatever PostgreSQL's own ssl says; allow and prefer let a client skip TLS.",
  fix: "pgbouncer_sslmode: require (or verify-full with client certificates) in the inventory, then ./pgsql.yml -l <cluster> -t pgbouncer",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    return valuesOver(view, "pgbouncer_sslmode", clusterScopes(view))
      .filter(({ entry }) => PLAINTEXT_MODES.includes(String(entry.value)))
      .map(({ entry, scopes }) => ({
        subject: varSubject(entry),
        // disable refuses TLS to everyone; allow/prefer only let a careless client skip it.
        ...(entry.value === "disable" ? {} : { severity: "medium" as const }),
        message: `pgbouncer_sslmode is ${shownValue(entry.value)} for ${scopes.join(", ")} (${varOrigin(entry)}): ${entry.value === "disable" ? "pgbouncer refuses TLS" : "clients may connect without TLS"}`,
        evidence: [varEvidence(entry, shownValue(entry.value))],
        fix: `pgbouncer_sslmode: require in ${entry.source ? `${entry.source.file}:${entry.source.line}` : `${view.file} (all.vars)`}, then ${pgsqlPlaybook(scopes, "pgbouncer")}`,
      }));
  },
};
