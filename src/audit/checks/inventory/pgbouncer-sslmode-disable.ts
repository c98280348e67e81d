import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";
import { pgsqlPlaybook, varLocation, weakClusterValues } from "./inventory-values.js";

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
    return weakClusterValues(
      view,
      "pgbouncer_sslmode",
      (value) => PLAINTEXT_MODES.includes(String(value)),
      ({ entry, scopes }) => ({
        // disable refuses TLS to everyone; allow/prefer only let a careless client skip it.
        ...(entry.value === "disable" ? {} : { severity: "medium" as const }),
        meaning: entry.value === "disable" ? "pgbouncer refuses TLS" : "clients may connect without TLS",
        fix: `pgbouncer_sslmode: require in ${varLocation(entry, `${view.file} (all.vars)`)}, then ${pgsqlPlaybook(scopes, "pgbouncer")}`,
      }),
    );
  },
};
