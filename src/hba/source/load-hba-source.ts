import type { Inventory } from "../../config/inventory.js";
import { loadInventory } from "../../config/load-inventory.js";
import { usageError } from "../../core/errors.js";
import { type ConnectOptions, connectSuperuser } from "../../pg/connect.js";
import { readServerFacts, type ServerFactsForRole } from "../explain/server-facts.js";
import { inventoryLintContext } from "../inventory-superusers.js";
import type { LintContext } from "../lint/lint-rule.js";
import type { HbaFile } from "../model.js";
import { parseHbaFile } from "../parse/index.js";
import { type RenderedHba, renderHba, type RenderTarget } from "../render/index.js";
import { parseRendered, renderedFileName } from "../rendered-file.js";
import { readServerContext } from "../server-context.js";
import { readServerHba } from "../server-file.js";

/** Where HBA rules come from: a pg_hba.conf, a running server, or an inventory. */
export interface HbaSourceRequest {
  /** A pg_hba.conf (its include directives and @file lists are read too). */
  readonly file?: string;
  /** A running server reached as a superuser (libpq URL or key=value string). */
  readonly conn?: string;
  /** A Pigsty inventory, with the cluster (and instance) to render. */
  readonly inventory?: string;
  readonly cluster?: string;
  readonly instance?: string;
  readonly target?: RenderTarget;
}

/** What a caller asks of the source beyond its rules, so nothing is read twice. */
export interface SourceExtras {
  /** With conn: also read this role's facts (version, address, memberships) on the same connection. */
  readonly factsFor?: string;
  /** With factsFor: also read what the server checks of the role and of this database once a pg_hba line lets it through. */
  readonly factsForDatabase?: string;
  /** Also read what the source tells lint ({@link HbaSource.context}): with conn that is more queries (superusers, ssl, ident maps). */
  readonly lintContext?: boolean;
  /** The PostgreSQL major version a file is for: before 16, `/` tokens are names and include lines are errors. */
  readonly majorVersion?: number;
  /** With conn: where libpq's warnings go, and the PKI whose CA a failed verification names. */
  readonly connect: ConnectOptions;
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

/**
 * Loads the rules from exactly one of a file, a server or an inventory with its cluster (else a
 * usage error, exit 2). A server's client is closed before this returns.
 */
export async function loadHbaSource(request: HbaSourceRequest, extras: SourceExtras): Promise<HbaSource> {
  const { file } = request;
  const given = [file !== undefined, request.conn !== undefined, request.inventory !== undefined].filter(
    Boolean,
  ).length;
  if (given !== 1)
    throw usageError("hba-source", "give exactly one of FILE, --conn URL or --inventory FILE --cluster NAME");
  if (request.inventory === undefined && (request.cluster !== undefined || request.instance !== undefined)) {
    throw usageError("hba-source", "--cluster and --instance go with --inventory");
  }
  if (file !== undefined)
    return {
      label: file,
      file: await parseHbaFile(file, extras.majorVersion === undefined ? {} : { majorVersion: extras.majorVersion }),
      context: {},
      warnings: [],
    };
  if (request.conn !== undefined) return fromServer(request.conn, extras);
  return fromInventory(request.inventory as string, request, extras);
}

async function fromServer(
  url: string,
  { factsFor, factsForDatabase, lintContext, majorVersion, connect }: SourceExtras,
): Promise<HbaSource> {
  const client = await connectSuperuser(url, connect);
  try {
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
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function fromInventory(
  path: string,
  request: HbaSourceRequest,
  { lintContext }: SourceExtras,
): Promise<HbaSource> {
  if (request.cluster === undefined) throw usageError("hba-source", "--inventory needs --cluster NAME");
  const inventory = await loadInventory(path);
  const rendered = renderHba(inventory, request.cluster, {
    instance: request.instance,
    target: request.target ?? "pg",
  });
  const name = renderedFileName(rendered);
  return {
    label: `${name} rendered from ${inventory.file}`,
    file: await parseRendered(rendered, inventory.file, name),
    context: lintContext ? inventoryLintContext(inventory, request.cluster, rendered.instance?.host) : {},
    rendered,
    inventory,
    warnings: [
      ...inventory.warnings,
      ...rendered.warnings,
      ...(rendered.instance ? [] : [clusterLevelWarning(request.cluster)]),
    ],
  };
}

/** Without an instance, rules for a pg_role (primary, replica, offline...) are all commented out (lint, explain and render say so). */
export function clusterLevelWarning(cluster: string): string {
  return `no --instance: the rules are ${cluster}'s as a whole, so every rule for one pg_role is left out; give --instance IP|NAME for what one server runs`;
}
