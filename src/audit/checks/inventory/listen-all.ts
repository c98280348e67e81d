import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";
import { pgsqlPlaybook, varLocation, weakClusterValues } from "./inventory-values.js";

/** Addresses that mean every interface, in PostgreSQL's listen_addresses. */
const EVERY_INTERFACE = ["0.0.0.0", "*", "::", "[::]"];

/** `pg_listen: 0.0.0.0` (Pigsty's default): PostgreSQL and pgbouncer listen on every interface of the host. */
export const listenAll: AuditCheck = {
  id: "inventory/listen-all",
  title: "PostgreSQL listens on every interface",
  layer: "network",
  severity: "medium",
  soc2: ["CC6.1"],
  cis: "5.2",
  scope: "inventory",
  why: "Listening on every interface puts the server on networks it has no business on (a public interface, a container bridge): only pg_hba.conf and the firewall stand between them and a login prompt.",
  fix: "pg_listen: '${ip},${vip},${lo}' in the inventory (Pigsty's placeholders: the host's address, the VIP, loopback), then ./pgsql.yml -l <cluster> -t pg_config,pgbouncer and restart PostgreSQL one instance at a time",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    return weakClusterValues(
      view,
      "pg_listen",
      (value) =>
        String(value)
          .split(",")
          .some((address) => EVERY_INTERFACE.includes(address.trim())),
      ({ entry, scopes }) => ({
        meaning: "every interface",
        fix: `pg_listen: '\${ip},\${vip},\${lo}' in ${varLocation(entry, `${view.file} (all.vars)`)}, then ${pgsqlPlaybook(scopes, "pg_config,pgbouncer")} and restart one instance at a time`,
      }),
    );
  },
};
