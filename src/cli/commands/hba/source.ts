import { type Command, Option } from "commander";

import type { Inventory } from "../../../config/inventory.js";
import { loadInventory } from "../../../config/load-inventory.js";
import { usageError } from "../../../core/errors.js";
import { readServerFacts, type ServerFactsForRole } from "../../../hba/explain/server-facts.js";
import { inventoryLintContext } from "../../../hba/inventory-superusers.js";
import type { LintContext } from "../../../hba/lint/lint-rule.js";
import type { HbaFile } from "../../../hba/model.js";
import { parseHbaFile } from "../../../hba/parse/index.js";
import { type RenderedHba, renderHba, type RenderTarget } from "../../../hba/render/index.js";
import { parseRendered, renderedFileName } from "../../../hba/rendered-file.js";
import { readServerContext } from "../../../hba/server-context.js";
import { readServerHba } from "../../../hba/server-file.js";
import { CONN_FORMS_HELP, type ConnectionContext, connOption, withConnection } from "../../conn-url.js";

/** Where a command's HBA rules come from: a file argument, a running server, or an inventory. */
export interface SourceOptions {
  readonly conn?: string;
  readonly inventory?: string;
  readonly cluster?: string;
  readonly instance?: string;
  readonly target?: RenderTarget;
}

/** What a caller asks of the source beyond its rules, so nothing is read twice. */
export interface SourceExtras {
  /** With --conn: also read this role's facts (version, address, memberships) on the same connection. */
  readonly factsFor?: string;
  /** With factsFor: also read what the server checks of the role and of this database once a pg_hba line lets it through. */
  readonly factsForDatabase?: string;
  /** Also read what the source tells lint ({@link HbaSource.context}): with --conn that is more queries (superusers, ssl, ident maps). */
  readonly lintContext?: boolean;
  /** The PostgreSQL major version a FILE is for (--pg-version): before 16, `/` tokens are names and include lines are errors. */
  readonly majorVersion?: number;
  /** With --conn: where libpq's warnings go, and the PKI whose CA a failed verification names. */
  readonly connection: ConnectionContext;
}

export interface HbaSource {
  /** The source in a person's words: the file, the server, or the inventory and what was rendered from it. */
  readonly label: string;
  /** The rules and the records PostgreSQL would refuse; for an inventory, rule sources point into it where they can. */
  readonly file: HbaFile;
  /** What the source tells lint, when {@link SourceExtras.lintContext} asked: a server's superusers, ssl and ident maps; an inventory's superusers. */
  readonly context: Partial<LintContext>;
  /** For an inventory: the rendered file. */
  readonly rendered?: RenderedHba;
  /** Things to tell the person on stderr (inventory keys not read, rules that render differently than they read). */
  readonly warnings: readonly string[];
  /** For an inventory: the inventory itself. */
  readonly inventory?: Inventory;
  /** For a server, when {@link SourceExtras.factsFor} asked: the role's facts as the server has them. */
  readonly roleFacts?: ServerFactsForRole;
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
export async function loadHbaSource(
  file: string | undefined,
  options: SourceOptions,
  extras: SourceExtras,
): Promise<HbaSource> {
  const given = [file !== undefined, options.conn !== undefined, options.inventory !== undefined].filter(
    Boolean,
  ).length;
  if (given !== 1)
    throw usageError("hba-source", "give exactly one of FILE, --conn URL or --inventory FILE --cluster NAME");
  if (options.inventory === undefined && (options.cluster !== undefined || options.instance !== undefined)) {
    throw usageError("hba-source", "--cluster and --instance go with --inventory");
  }
  if (file !== undefined)
    return {
      label: file,
      file: await parseHbaFile(file, extras.majorVersion === undefined ? {} : { majorVersion: extras.majorVersion }),
      context: {},
      warnings: [],
    };
  if (options.conn !== undefined) return fromServer(options.conn, extras);
  return fromInventory(options.inventory as string, options, extras);
}

async function fromServer(
  url: string,
  { factsFor, factsForDatabase, lintContext, majorVersion, connection }: SourceExtras,
): Promise<HbaSource> {
  return withConnection(
    url,
    async (client) => {
      const hba = await readServerHba(client, majorVersion);
      const context = lintContext ? await readServerContext(client) : {};
      const roleFacts = factsFor === undefined ? undefined : await readServerFacts(client, factsFor, factsForDatabase);
      const how = hba.readFrom === "file" ? hba.path : `pg_hba_file_rules, for ${hba.path}`;
      const unreadPassword = roleFacts?.login !== undefined && roleFacts.login.role.password.kind === undefined;
      const warnings = [
        ...(hba.limitation ? [hba.limitation] : []),
        ...(unreadPassword
          ? [
              `this session may not read pg_authid (superusers only): whether ${factsFor}'s stored password suits a password line is not checked`,
            ]
          : []),
      ];
      return {
        label: `the server at ${client.host}:${client.port} (${how})`,
        file: hba.file,
        context,
        warnings,
        ...(roleFacts ? { roleFacts } : {}),
      };
    },
    connection,
  );
}

async function fromInventory(path: string, options: SourceOptions, { lintContext }: SourceExtras): Promise<HbaSource> {
  if (options.cluster === undefined) throw usageError("hba-source", "--inventory needs --cluster NAME");
  const inventory = await loadInventory(path);
  const rendered = renderHba(inventory, options.cluster, {
    instance: options.instance,
    target: options.target ?? "pg",
  });
  const name = renderedFileName(rendered);
  return {
    label: `${name} rendered from ${inventory.file}`,
    file: await parseRendered(rendered, inventory.file, name),
    context: lintContext ? inventoryLintContext(inventory, options.cluster, rendered.instance?.host) : {},
    rendered,
    inventory,
    warnings: [
      ...inventory.warnings,
      ...rendered.warnings,
      ...(rendered.instance ? [] : [clusterLevelWarning(options.cluster)]),
    ],
  };
}

/** Without an instance, rules for a pg_role (primary, replica, offline...) are all commented out (lint, explain and render say so). */
export function clusterLevelWarning(cluster: string): string {
  return `no --instance: the rules are ${cluster}'s as a whole, so every rule for one pg_role is left out; give --instance IP|NAME for what one server runs`;
}
