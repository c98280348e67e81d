import { clusterNames, groupHosts, hostVars, type Inventory, type InventoryGroup } from "../../config/inventory.js";
import { type SourceLocation } from "../../core/source-location.js";
import { compareText } from "../../core/text.js";
import { type Fact, type InventoryScope, type InventorySource } from "../fact.js";
import { INVENTORY_DEFAULTS, PIGSTY_DEFAULTS_COMMIT } from "./inventory-pigsty-defaults.js";

/** One value a variable takes on some hosts, and where it comes from. */
export interface VarValue {
  readonly key: string;
  /** The value the hosts get: as written, or Pigsty's default when nothing sets it (undefined if Pigsty has none). */
  readonly value: unknown;
  /** Where it is written; undefined when the inventory leaves it unset. */
  readonly source?: SourceLocation;
  /** Who sets it, in words: `host 10.10.10.11`, `group pg-test`, `all.vars`, or Pigsty's role file and line. */
  readonly origin: string;
  /** True when the inventory does not set it and Pigsty's default applies. */
  readonly defaulted: boolean;
  /** The hosts that get this value, sorted. */
  readonly hosts: readonly string[];
}

/** A PostgreSQL cluster of the inventory: its members and where it is declared. */
export interface InventoryCluster {
  readonly name: string;
  readonly members: readonly string[];
  readonly source: SourceLocation;
}

/** A group of hosts that forms one service (the etcd cluster, the infra nodes), where it is declared. */
export interface HostSet {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly source: SourceLocation;
}

/**
 * The inventory as the inventory checks judge it: the PostgreSQL clusters audited (all, or the
 * one of --cluster), the etcd clusters, infra and MinIO nodes, and the values a variable takes
 * on given hosts with the line that sets each (Pigsty's default when none does).
 */
export interface InventoryView {
  readonly file: string;
  readonly clusters: readonly InventoryCluster[];
  /** Hosts with etcd_seq (or in the `etcd` group), by etcd_cluster. */
  readonly etcd: readonly HostSet[];
  /** The `infra` group, when the inventory has one. */
  readonly infra?: HostSet;
  /** Hosts with minio_cluster or minio_seq (or in the `minio` group). */
  readonly minioHosts: readonly string[];
  /** Every host of the inventory, sorted. */
  readonly hosts: readonly string[];
  /** The distinct values `key` takes on `hosts` (Ansible's precedence), each with its hosts and where it is set. */
  values(key: string, hosts: readonly string[]): readonly VarValue[];
}

const sorted = (hosts: Iterable<string>): string[] => [...new Set(hosts)].sort(compareText);

/** Each host's groups, the one whose vars win first (Ansible: deeper, then later by name, wins). */
function groupsByHost(inventory: Inventory): Map<string, InventoryGroup[]> {
  const byHost = new Map<string, InventoryGroup[]>();
  const winnersFirst = [...inventory.groups.values()].sort((a, b) => b.depth - a.depth || compareText(b.name, a.name));
  for (const group of winnersFirst)
    for (const host of groupHosts(inventory, group.name)) byHost.set(host, [...(byHost.get(host) ?? []), group]);
  return byHost;
}

type Origin = Omit<VarValue, "value" | "hosts" | "key">;

/** Where `key` of `host` comes from: its own vars, the winning group that sets it, all.vars, or Pigsty. */
function origin(inventory: Inventory, groups: readonly InventoryGroup[], host: string, key: string): Origin {
  if (Object.hasOwn(inventory.hostVars.get(host) ?? {}, key)) {
    const source = inventory.hostSources?.get(host);
    return { origin: `host ${host}`, defaulted: false, ...(source ? { source } : {}) };
  }
  const group = groups.find((each) => Object.hasOwn(each.vars, key));
  if (group)
    return { origin: `group ${group.name}`, defaulted: false, source: group.varSources?.get(key) ?? group.source };
  if (Object.hasOwn(inventory.vars, key)) {
    const source = inventory.varSources?.get(key);
    return { origin: "all.vars", defaulted: false, ...(source ? { source } : {}) };
  }
  const fallback = INVENTORY_DEFAULTS[key];
  return {
    origin: fallback
      ? `Pigsty's ${fallback.file}:${fallback.line} (pgsty/pigsty@${PIGSTY_DEFAULTS_COMMIT.slice(0, 7)})`
      : "nowhere",
    defaulted: true,
  };
}

/** The inventory seen by the checks; `scope.cluster` narrows the PostgreSQL clusters to that one. */
export function inventoryView(scope: InventoryScope): InventoryView {
  const { inventory } = scope;
  const hosts = sorted(inventory.hostVars.keys());
  const vars = new Map(hosts.map((host) => [host, hostVars(inventory, host)] as const));
  const groups = groupsByHost(inventory);
  const groupSource = (name: string, members: readonly string[]): SourceLocation =>
    inventory.groups.get(name)?.source ??
    (members[0] !== undefined ? inventory.hostSources?.get(members[0]) : undefined) ?? { file: scope.file, line: 1 };

  const clusters = clusterNames(inventory)
    .filter((name) => scope.cluster === undefined || name === scope.cluster)
    .map((name) => {
      const members = hosts.filter((host) => vars.get(host)?.pg_cluster === name);
      return { name, members, source: groupSource(name, members) };
    });

  const etcdGroup = new Set(groupHosts(inventory, "etcd"));
  const etcdByCluster = new Map<string, string[]>();
  for (const host of hosts) {
    const hostVarsOf = vars.get(host) ?? {};
    if (hostVarsOf.etcd_seq === undefined && !etcdGroup.has(host)) continue;
    const cluster = String(hostVarsOf.etcd_cluster ?? INVENTORY_DEFAULTS.etcd_cluster?.value);
    etcdByCluster.set(cluster, [...(etcdByCluster.get(cluster) ?? []), host]);
  }
  const etcd = [...etcdByCluster]
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, members]) => ({ name, hosts: members, source: groupSource(name, members) }));

  const infraHosts = sorted(groupHosts(inventory, "infra"));
  const minioGroup = new Set(groupHosts(inventory, "minio"));
  const minioHosts = hosts.filter(
    (host) =>
      minioGroup.has(host) || vars.get(host)?.minio_cluster !== undefined || vars.get(host)?.minio_seq !== undefined,
  );

  return {
    file: scope.file,
    clusters,
    etcd,
    ...(infraHosts.length > 0
      ? { infra: { name: "infra", hosts: infraHosts, source: groupSource("infra", infraHosts) } }
      : {}),
    minioHosts,
    hosts,
    values(key, wanted) {
      const byOrigin = new Map<string, { value: unknown; from: Origin; hosts: string[] }>();
      for (const host of sorted(wanted)) {
        const from = origin(inventory, groups.get(host) ?? [], host, key);
        const value = from.defaulted ? INVENTORY_DEFAULTS[key]?.value : vars.get(host)?.[key];
        const id = `${from.origin}\0${from.source ? `${from.source.file}:${from.source.line}` : ""}`;
        const entry = byOrigin.get(id);
        if (entry) entry.hosts.push(host);
        else byOrigin.set(id, { value, from, hosts: [host] });
      }
      return [...byOrigin.values()].map(({ value, from, hosts: taking }) => ({ key, value, ...from, hosts: taking }));
    },
  };
}

/** The inventory target's file, read into {@link InventoryView} (an inventory target always has one). */
export const inventoryViewFact: Fact<InventoryView, InventorySource> = {
  id: "inventory-view",
  scope: "inventory",
  collect: (source) => Promise.resolve(inventoryView(source.inventory)),
};
