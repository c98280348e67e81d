import { clusterMembers, clusterNames, hostVars, instanceName, type Inventory } from "../../config/inventory.js";
import { PIGSTY_DEFAULTS } from "../../config/pigsty-defaults.js";
import { ExitCode, PgwardenError, usageError } from "../../core/errors.js";
import { resolveConnection, type ResolvedConnection } from "../../pg/conninfo/resolve.js";
import { type InventoryTarget, type ServerTarget, targetName } from "../audit-target.js";

/** Pigsty's pg_port when an inventory leaves it unset. */
const PIGSTY_DEFAULT_PORT = 5432;
const MAX_PORT = 65535;

/** The placeholders `--conn-template` knows, each filled per instance. */
export const CONN_TEMPLATE_PLACEHOLDERS = ["host", "port", "cluster", "instance", "seq", "user"] as const;
type Placeholder = (typeof CONN_TEMPLATE_PLACEHOLDERS)[number];

export interface InventoryTargetsOptions {
  readonly inventory: Inventory;
  /** The inventory file as given, for the report. */
  readonly file: string;
  /** Only this cluster's instances (exit 4 for a cluster the inventory lacks). */
  readonly cluster?: string;
  /**
   * How to reach each instance, with {host} {port} {cluster} {instance} {seq} {user} filled in
   * (`host={host} port={port} user=dbuser_monitor dbname=postgres sslmode=verify-full`). No password
   * in it: PGPASSWORD or ~/.pgpass, as for --conn.
   */
  readonly connTemplate?: string;
  /** For PG* variables, the passfile and the service file, as libpq reads them. */
  readonly env: NodeJS.ProcessEnv;
}

/** The inventory's instances as server targets, and the inventory itself as one target; warnings libpq would give. */
export interface InventoryTargets {
  readonly servers: readonly ServerTarget[];
  readonly inventory: InventoryTarget;
  readonly warnings: readonly string[];
}

/** An instance's pg_port: an integer port, or Pigsty's 5432 when unset; anything else is an invalid inventory (exit 3). */
function portOf(inventory: Inventory, host: string, value: unknown): number {
  if (value === undefined) return PIGSTY_DEFAULT_PORT;
  const port = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= MAX_PORT) return port;
  throw new PgwardenError(
    "invalid-inventory",
    `${inventory.file}: host ${host}: pg_port ${JSON.stringify(value)} is not a TCP port (1 to ${MAX_PORT})`,
    ExitCode.config,
  );
}

/** `{name}` replaced by its value; an unknown name is a usage error naming the known ones. */
export function fillConnTemplate(template: string, values: Readonly<Record<Placeholder, string>>): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) => {
    if ((CONN_TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) return values[name as Placeholder];
    throw usageError(
      "bad-conn-template",
      `--conn-template: unknown placeholder ${whole}: use ${CONN_TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
    );
  });
}

/**
 * Every PostgreSQL instance of the inventory (or of `cluster`) as a server target, reached by
 * `connTemplate` when given, else by its host's own settings: ansible_host (or the inventory key),
 * pg_port (Pigsty's 5432), pg_admin_username, else pg_dbsu, else Pigsty's admin dbuser_dba, database
 * postgres, the rest from PG* variables. Each target is named after its instance (`pg-meta-1`) and
 * knows its inventory, cluster and host; the inventory file itself is one more target, for the
 * inventory's own checks. Nothing connects here.
 */
export function inventoryTargets(options: InventoryTargetsOptions): InventoryTargets {
  const { inventory, file, cluster } = options;
  const clusters = cluster === undefined ? clusterNames(inventory) : [cluster];
  const warnings: string[] = [];
  const servers: ServerTarget[] = [];
  for (const name of clusters) {
    for (const host of clusterMembers(inventory, name)) {
      const vars = hostVars(inventory, host);
      const address = vars.ansible_host ?? host;
      // pg_port is not among the keys the schema checks: it is read, and judged, here.
      const port = portOf(inventory, host, (vars as Record<string, unknown>).pg_port);
      const user = vars.pg_admin_username ?? vars.pg_dbsu ?? PIGSTY_DEFAULTS.pg_admin_username;
      const instance = instanceName(inventory, host);
      const seq = vars.pg_seq === undefined ? "" : String(vars.pg_seq);
      const conn =
        options.connTemplate === undefined
          ? `host=${address} port=${port} user=${user} dbname=postgres`
          : fillConnTemplate(options.connTemplate, {
              host: address,
              port: String(port),
              cluster: name,
              instance: instance ?? host,
              seq,
              user,
            });
      const source = options.connTemplate === undefined ? `inventory host ${host}` : `--conn-template (${host})`;
      const connection: ResolvedConnection = resolveConnection(conn, { env: options.env, source });
      warnings.push(...connection.warnings);
      servers.push({
        kind: "server",
        name: instance ?? targetName(connection),
        connection,
        inventory: { inventory, file, cluster: name, host },
      });
    }
  }
  return {
    servers,
    inventory: {
      kind: "inventory",
      name: file,
      inventory: { inventory, file, ...(cluster === undefined ? {} : { cluster }) },
    },
    warnings: [...new Set(warnings)],
  };
}
