import { type Command, Option } from "commander";

import type { RenderTarget } from "../../../hba/render/index.js";
import {
  type HbaSource,
  loadHbaSource as loadSource,
  type SourceExtras as LibrarySourceExtras,
} from "../../../hba/source/load-hba-source.js";
import { CONN_FORMS_HELP, type ConnectionContext, connectOptions, connOption } from "../../conn-url.js";

export { clusterLevelWarning, type HbaSource } from "../../../hba/source/load-hba-source.js";

/** Where a command's HBA rules come from: a file argument, a running server, or an inventory. */
export interface SourceOptions {
  readonly conn?: string;
  readonly inventory?: string;
  readonly cluster?: string;
  readonly instance?: string;
  readonly target?: RenderTarget;
}

/** What a command asks of the source beyond its rules (see the library's SourceExtras), with its connection context. */
export interface SourceExtras extends Omit<LibrarySourceExtras, "connect"> {
  /** With --conn: where libpq's warnings go, and the PKI whose CA a failed verification names. */
  readonly connection: ConnectionContext;
}

export const TARGETS: readonly RenderTarget[] = ["pg", "pgbouncer"];

/** --inventory, --cluster, --instance, --target: rules rendered from a Pigsty inventory. */
export function addInventoryOptions(command: Command, required = false): Command {
  const inventory = new Option("--inventory <file>", "a Pigsty inventory (pigsty.yml)");
  const cluster = new Option("--cluster <name>", "the cluster to render (its pg_cluster)");
  if (required) {
    inventory.makeOptionMandatory();
    cluster.makeOptionMandatory();
  }
  return command
    .addOption(inventory)
    .addOption(cluster)
    .addOption(
      new Option(
        "--instance <ip|name>",
        "one instance, by address or name (pg-meta-1); default: the only member, else the cluster as a whole",
      ),
    )
    .addOption(
      new Option("--target <target>", "pg: pg_hba.conf; pgbouncer: pgb_hba.conf").choices(TARGETS).default("pg"),
    );
}

/** FILE's alternatives: --conn URL, or --inventory FILE --cluster NAME [--instance] [--target]. */
export function addSourceOptions(command: Command): Command {
  command.addOption(
    connOption(
      `a running server: its pg_hba.conf read with pg_read_file (superuser or pg_read_server_files), else pg_hba_file_rules; ${CONN_FORMS_HELP}`,
    ),
  );
  return addInventoryOptions(command);
}

/**
 * Loads the rules from exactly one of FILE, --conn URL or --inventory FILE --cluster NAME
 * (else a usage error, exit 2). A server's client is closed before this returns.
 */
export function loadHbaSource(
  file: string | undefined,
  options: SourceOptions,
  extras: SourceExtras,
): Promise<HbaSource> {
  const { connection, ...rest } = extras;
  const { conn, inventory, cluster, instance, target } = options;
  return loadSource(
    { file, conn, inventory, cluster, instance, target },
    { ...rest, connect: connectOptions(connection) },
  );
}
