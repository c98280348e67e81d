import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";
import { ansibleTruth, pgsqlPlaybook, varLocation, weakClusterValues } from "./inventory-values.js";

/** `patroni_ssl_enabled: false` (Pigsty's default): Patroni's REST API speaks plain HTTP with a password. */
export const patroniSslOff: AuditCheck = {
  id: "inventory/patroni-ssl-off",
  title: "Patroni's REST API is not encrypted",
  layer: "network",
  severity: "high",
  soc2: ["CC6.6", "CC6.7"],
  scope: "inventory",
  why: "Without TLS, Patroni's REST API (port 8008) receives its basic-auth password in clear on every call that changes the cluster (switchover, restart, reload): whoever sees the traffic can take the cluster over.",
  fix: "patroni_ssl_enabled: true in the inventory (all.vars or the cluster's vars); the certificates: pgwarden cert issue --inventory FILE; then ./pgsql.yml -l <cluster> -t pg_config and restart Patroni one instance at a time",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    return weakClusterValues(
      view,
      "patroni_ssl_enabled",
      (value) => ansibleTruth(value) !== true,
      ({ entry, scopes }) => ({
        fix: `patroni_ssl_enabled: true in ${varLocation(entry, `${view.file} (all.vars)`)}, then ${pgsqlPlaybook(scopes, "pg_config")} and restart Patroni one instance at a time`,
      }),
    );
  },
};
