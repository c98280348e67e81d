import { notFoundError } from "../core/errors.js";
import { type SourceLocation } from "../core/source-location.js";
import { compareText } from "../core/text.js";
import { PIGSTY_DEFAULTS } from "./pigsty-defaults.js";
import type { InventoryVars } from "./schema.js";

/** A group of the inventory (`all.children.<name>`, or a group nested under another). */
export interface InventoryGroup {
  readonly name: string;
  /** The group's `vars`, validated. */
  readonly vars: InventoryVars;
  /** Hosts listed under the group itself, in file order (children's hosts are not repeated here). */
  readonly hosts: readonly string[];
  /** Names of child groups. */
  readonly children: readonly string[];
  /** 1 for a child of `all`, one more per level of nesting: Ansible applies shallower groups' vars first. */
  readonly depth: number;
  readonly source: SourceLocation;
  /** Where each key of `vars` is written (set by the loader). */
  readonly varSources?: ReadonlyMap<string, SourceLocation>;
}

/** A Pigsty (Ansible YAML) inventory: global vars, groups, and each host's own vars. */
export interface Inventory {
  readonly file: string;
  /** `all.vars`. */
  readonly vars: InventoryVars;
  readonly groups: ReadonlyMap<string, InventoryGroup>;
  /** Each host's vars, merged over every group it is listed in (a later listing wins per key, as Ansible does). */
  readonly hostVars: ReadonlyMap<string, InventoryVars>;
  /** Things pgwarden read past without using (`file:line: path: message`), for the caller to show. */
  readonly warnings: readonly string[];
  /** Where each key of `vars` (all.vars) is written (set by the loader). */
  readonly varSources?: ReadonlyMap<string, SourceLocation>;
  /** Where each host is first listed (set by the loader). */
  readonly hostSources?: ReadonlyMap<string, SourceLocation>;
}

/** Hosts of a group and of its descendants, in file order, without repeats; empty for an unknown group. */
export function groupHosts(inventory: Inventory, name: string): string[] {
  const hosts = new Set<string>();
  const visit = (groupName: string, seen: Set<string>) => {
    const group = inventory.groups.get(groupName);
    if (!group || seen.has(groupName)) return;
    seen.add(groupName);
    for (const host of group.hosts) hosts.add(host);
    for (const child of group.children) visit(child, seen);
  };
  visit(name, new Set());
  return [...hosts];
}

/** Ansible's order for group vars: shallower groups first, then by name; later ones win. */
function byPrecedence(a: InventoryGroup, b: InventoryGroup): number {
  return a.depth - b.depth || compareText(a.name, b.name);
}

/** Each host's groups in Ansible's precedence order, computed once per inventory. */
const groupsByHost = new WeakMap<Inventory, ReadonlyMap<string, readonly InventoryGroup[]>>();

function groupsOf(inventory: Inventory, host: string): readonly InventoryGroup[] {
  let index = groupsByHost.get(inventory);
  if (!index) {
    const built = new Map<string, InventoryGroup[]>();
    for (const group of [...inventory.groups.values()].sort(byPrecedence)) {
      for (const member of groupHosts(inventory, group.name)) built.set(member, [...(built.get(member) ?? []), group]);
    }
    index = built;
    groupsByHost.set(inventory, index);
  }
  return index.get(host) ?? [];
}

/**
 * A host's variables as Ansible sees them: all.vars, then the vars of every group the host is
 * in (Ansible's order), then the host's own vars.
 */
export function hostVars(inventory: Inventory, host: string): InventoryVars {
  return Object.assign(
    {},
    inventory.vars,
    ...groupsOf(inventory, host).map((group) => group.vars),
    inventory.hostVars.get(host) ?? {},
  ) as InventoryVars;
}

/** Every cluster named by a host's pg_cluster, sorted. */
export function clusterNames(inventory: Inventory): string[] {
  const names = new Set<string>();
  for (const host of inventory.hostVars.keys()) {
    const cluster = hostVars(inventory, host).pg_cluster;
    if (cluster !== undefined) names.add(cluster);
  }
  return [...names].sort(compareText);
}

/**
 * The hosts whose pg_cluster is `cluster`, sorted as strings (Pigsty's pg_cluster_members:
 * `unique | sort` over inventory host names). Throws not-found (exit 4) for an unknown cluster.
 */
export function clusterMembers(inventory: Inventory, cluster: string): string[] {
  const members = [...inventory.hostVars.keys()]
    .filter((host) => hostVars(inventory, host).pg_cluster === cluster)
    .sort(compareText);
  if (members.length === 0) {
    const known = clusterNames(inventory);
    throw notFoundError(
      "unknown-cluster",
      `no cluster ${JSON.stringify(cluster)} in ${inventory.file}: ${known.length > 0 ? `clusters are ${known.join(", ")}` : "it defines no pg_cluster"}`,
    );
  }
  return members;
}

/** `<pg_cluster>-<pg_seq>`, Pigsty's instance name; undefined without pg_seq. */
export function instanceName(inventory: Inventory, host: string): string | undefined {
  const vars = hostVars(inventory, host);
  return vars.pg_cluster !== undefined && vars.pg_seq !== undefined ? `${vars.pg_cluster}-${vars.pg_seq}` : undefined;
}

/** The host of an instance given by its address (`10.10.10.11`) or its name (`pg-meta-2`); throws not-found (exit 4). */
export function resolveInstance(inventory: Inventory, cluster: string, instance: string): string {
  const members = clusterMembers(inventory, cluster);
  const found =
    members.find((host) => host === instance) ?? members.find((host) => instanceName(inventory, host) === instance);
  if (found !== undefined) return found;
  const listed = members.map((host) => {
    const name = instanceName(inventory, host);
    return name ? `${host} (${name})` : host;
  });
  throw notFoundError(
    "unknown-instance",
    `no instance ${JSON.stringify(instance)} in cluster ${cluster}: its members are ${listed.join(", ")}`,
  );
}

/**
 * The variables of one instance (host vars over group vars over all.vars, as Ansible merges
 * them), or of the cluster as a whole when `host` is omitted: all.vars and the vars of the
 * groups that hold every member, which is what all its instances share. Throws not-found
 * (exit 4) for an unknown cluster or a host that is not one of its members.
 */
export function instanceVars(inventory: Inventory, cluster: string, host?: string): InventoryVars {
  if (host !== undefined) return hostVars(inventory, resolveInstance(inventory, cluster, host));
  return Object.assign(
    {},
    inventory.vars,
    ...clusterGroups(inventory, cluster).map((group) => group.vars),
  ) as InventoryVars;
}

/** The groups that hold every member of `cluster`, in Ansible's precedence order (the last one wins). Throws not-found (exit 4). */
export function clusterGroups(inventory: Inventory, cluster: string): InventoryGroup[] {
  const members = clusterMembers(inventory, cluster);
  return [...inventory.groups.values()]
    .filter((group) => {
      const hosts = groupHosts(inventory, group.name);
      return members.every((member) => hosts.includes(member));
    })
    .sort(byPrecedence);
}

/** An instance's (or cluster's) vars with every key Pigsty gives a default set. */
export type EffectiveVars = InventoryVars & {
  readonly [K in keyof typeof PIGSTY_DEFAULTS]-?: NonNullable<InventoryVars[K]>;
};

/** `vars` over Pigsty's defaults (config/pigsty-defaults.ts): every key the inventory leaves unset takes Pigsty's value. */
export function withPigstyDefaults(vars: InventoryVars): EffectiveVars {
  return { ...PIGSTY_DEFAULTS, ...vars };
}

/** {@link instanceVars} over Pigsty's defaults: what Pigsty renders and creates for the instance or cluster. */
export function effectiveVars(inventory: Inventory, cluster: string, host?: string): EffectiveVars {
  return withPigstyDefaults(instanceVars(inventory, cluster, host));
}
