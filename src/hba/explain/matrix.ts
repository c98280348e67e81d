import {
  clusterMembers,
  type EffectiveVars,
  effectiveVars,
  groupHosts,
  type Inventory,
} from "../../config/inventory.js";
import { ExitCode, PgwardenError } from "../../errors.js";
import { formatNetwork, hostBits, type Network, networkContains, parseAddress, parseNetwork } from "../address.js";
import { inventoryMemberships } from "../inventory-superusers.js";
import { type Connection, regexTokens, type ServerContext } from "../match.js";
import type { HbaRule } from "../model.js";
import { parseHbaText } from "../parse/index.js";
import { isRegexToken } from "../parse/token-regex.js";
import { renderHba } from "../render/render.js";
import { renderedFileName } from "../rendered-file.js";
import type { Access } from "./authentication.js";
import { explainConnection } from "./explain-connection.js";

/** An intranet client for the matrix when the intranet holds it (else the intranet's first host). */
export const INTRANET_SAMPLE_ADDRESS = "10.1.2.3";
/** A client from anywhere: TEST-NET-3 (RFC 5737), only ever a value, never connected to. */
export const WORLD_SAMPLE_ADDRESS = "203.0.113.7";
/** The generic business user of the matrix, granted dbrole_readwrite as Pigsty's business users are. */
export const APP_USER = { name: "dbuser_app", grantedRole: "dbrole_readwrite" } as const;
/** The database the matrix connects to unless told otherwise. */
export const DEFAULT_MATRIX_DATABASE = "postgres";

export interface MatrixOptions {
  /** The instance, by address or name; omitted: the cluster's only member, or the cluster as a whole. */
  readonly instance?: string;
  /** The database each connection asks for; default {@link DEFAULT_MATRIX_DATABASE}. */
  readonly database?: string;
}

/** A source of connections: the aliases it stands for (`admin`, `infra`) and the address used. */
export interface MatrixNetwork {
  readonly labels: readonly string[];
  /** "local" for the unix socket, else an IP address. */
  readonly address: string;
}

export interface MatrixRole {
  readonly name: string;
  /** Why it is in the matrix: dbsu, replication, monitor, admin, named in a rule, app user. */
  readonly kinds: readonly string[];
  readonly memberOf: readonly string[];
}

/** The answer for one connection: the first matching line's method, and the verdict. */
export interface MatrixCell {
  readonly verdict: Access;
  /** The method of the first line that surely matches; absent when no line does. */
  readonly method?: string;
  /** That line, in the rendered file. */
  readonly line?: number;
  /** True when lines before it may match (host names, samehost, samenet). */
  readonly undecided: boolean;
  readonly reason: string;
}

export interface MatrixRow {
  readonly role: string;
  /** The database asked for; `replication` for a physical replication connection. */
  readonly database: string;
  readonly replication: boolean;
  readonly network: string;
  readonly address: string;
  readonly plain: MatrixCell;
  /** Over TLS, presenting a client certificate for the role; absent for the unix socket. */
  readonly tls?: MatrixCell;
}

export interface HbaMatrix {
  readonly cluster: string;
  readonly instance?: { readonly host: string; readonly name?: string };
  /** The name the rendered file's lines are cited by. */
  readonly file: string;
  readonly roles: readonly MatrixRole[];
  readonly networks: readonly MatrixNetwork[];
  readonly rows: readonly MatrixRow[];
  readonly warnings: readonly string[];
}

/** The first host address of a network that holds `preferred`, else its first host. */
function sampleAddress(network: Network, preferred: string): string {
  const wanted = parseAddress(preferred);
  if (wanted && networkContains(network, wanted)) return preferred;
  // The network's own address plus one: its first host (a /32 is its only host).
  const first =
    hostBits(network) === 0 ? network : { family: network.family, base: network.base + 1n, prefix: network.prefix };
  return formatNetwork(first).replace(/\/\d+$/, "");
}

/** Sources of connections as Pigsty's address aliases name them; aliases at one address share a row. */
function matrixNetworks(
  inventory: Inventory,
  members: readonly string[],
  host: string | undefined,
  vars: EffectiveVars,
): MatrixNetwork[] {
  const candidates: [string, string | undefined][] = [
    ["local socket", "local"],
    ["localhost", "127.0.0.1"],
    ["admin", vars.admin_ip],
    ["infra", groupHosts(inventory, "infra").find((address) => parseAddress(address))],
    [
      "cluster member",
      members.find((member) => member !== host && parseAddress(member)) ??
        members.find((member) => parseAddress(member)),
    ],
  ];
  const intranet = vars.node_firewall_intranet
    .map(parseNetwork)
    .find((network): network is Network => network?.family === 4);
  if (intranet) candidates.push(["intranet", sampleAddress(intranet, INTRANET_SAMPLE_ADDRESS)]);
  candidates.push(["world", WORLD_SAMPLE_ADDRESS]);
  const networks: { labels: string[]; address: string }[] = [];
  for (const [label, address] of candidates) {
    if (address === undefined) continue;
    const same = networks.find((network) => network.address === address);
    if (same) same.labels.push(label);
    else networks.push({ labels: [label], address });
  }
  return networks;
}

/** Plain role names written in the rules' user fields (not `all`, `+group` or a pattern), in file order. */
function namedUsers(rules: readonly HbaRule[], server: ServerContext): string[] {
  const regex = regexTokens(server);
  const names = new Set<string>();
  for (const rule of rules) {
    for (const token of rule.users) {
      if (!token.quoted && (token.value === "all" || token.value.startsWith("+"))) continue;
      if (regex && isRegexToken(token)) continue;
      names.add(token.value);
    }
  }
  return [...names];
}

function majorVersionOf(value: unknown): number | undefined {
  const major =
    typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : undefined;
  return major !== undefined && Number.isInteger(major) && major > 0 ? major : undefined;
}

/**
 * For every role an inventory's rules concern (the system users, the users named in rules and
 * a generic app user) from every kind of place (socket, localhost, admin, infra, a cluster
 * member, the intranet, the world), with and without TLS: the first matching line of the
 * pg_hba.conf rendered for the instance, its method, and whether it lets the role in. Over
 * TLS the client presents a certificate for its own role, so `cert` lines show what they do
 * for a well-configured client. Memberships come from pg_default_roles and pg_users.
 */
export async function explainMatrix(
  inventory: Inventory,
  cluster: string,
  options: MatrixOptions = {},
): Promise<HbaMatrix> {
  const rendered = renderHba(inventory, cluster, { instance: options.instance, target: "pg" });
  const host = rendered.instance?.host;
  const vars = effectiveVars(inventory, cluster, host);
  const file = renderedFileName(rendered);
  // The rendered text is the whole file: nothing it could include exists.
  const server: ServerContext = { majorVersion: majorVersionOf(vars.pg_version) };
  const parsed = await parseHbaText(rendered.text, file, {
    readFile: async (path) => Promise.reject(new Error(`${path}: a rendered file includes nothing`)),
    readDir: () => Promise.resolve([]),
    ...(server.majorVersion !== undefined ? { majorVersion: server.majorVersion } : {}),
  });
  const [error] = parsed.errors;
  if (error)
    throw new PgwardenError(
      "invalid-hba-rule",
      `the rules rendered for ${cluster} do not parse: ${file} line ${error.source.line}: ${error.message}`,
      ExitCode.config,
    );

  const memberships = inventoryMemberships(vars);
  const roles = new Map<string, { kinds: string[]; memberOf: readonly string[] }>();
  const addRole = (name: string, kind: string, memberOf: readonly string[] = memberships(name)) => {
    const known = roles.get(name);
    if (known) known.kinds.push(kind);
    else roles.set(name, { kinds: [kind], memberOf });
  };
  addRole(vars.pg_dbsu, "dbsu");
  addRole(vars.pg_replication_username, "replication");
  addRole(vars.pg_monitor_username, "monitor");
  addRole(vars.pg_admin_username, "admin");
  for (const name of namedUsers(parsed.rules, server)) if (!roles.has(name)) addRole(name, "named in a rule");
  if (!roles.has(APP_USER.name))
    addRole(
      APP_USER.name,
      "app user",
      [...new Set([APP_USER.grantedRole, ...memberships(APP_USER.grantedRole)])].sort(),
    );

  const networks = matrixNetworks(inventory, clusterMembers(inventory, cluster), host, vars);
  const database = options.database ?? DEFAULT_MATRIX_DATABASE;
  const rows: MatrixRow[] = [];
  for (const [role, { memberOf }] of roles) {
    const asks = [
      { database, replication: false },
      ...(role === vars.pg_replication_username ? [{ database: "replication", replication: true }] : []),
    ];
    for (const ask of asks) {
      for (const network of networks) {
        const cell = (ssl: boolean): MatrixCell => {
          const connection: Connection = {
            user: role,
            database: ask.database,
            replication: ask.replication,
            address: network.address,
            ssl,
            memberOf,
            ...(ssl ? { certificate: { commonName: role } } : {}),
          };
          const explained = explainConnection(parsed.rules, connection, { server });
          const first = explained.first;
          return {
            verdict: explained.verdict,
            ...(first ? { method: first.rule.method, line: first.rule.source.line } : {}),
            undecided: explained.undecided.length > 0,
            reason: explained.reason,
          };
        };
        const row = {
          role,
          database: ask.database,
          replication: ask.replication,
          network: network.labels.join(", "),
          address: network.address,
          plain: cell(false),
        };
        rows.push(network.address === "local" ? row : { ...row, tls: cell(true) });
      }
    }
  }
  return {
    cluster,
    ...(rendered.instance ? { instance: rendered.instance } : {}),
    file,
    roles: [...roles].map(([name, { kinds, memberOf }]) => ({ name, kinds, memberOf })),
    networks,
    rows,
    warnings: [...inventory.warnings, ...rendered.warnings],
  };
}
