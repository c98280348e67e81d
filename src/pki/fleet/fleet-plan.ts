import { isIP } from "node:net";

import { clusterNames, hostVars, type Inventory } from "../../config/inventory.js";
import { ExitCode, notFoundError, PgwardenError } from "../../core/errors.js";
import { compareText } from "../../core/text.js";
import { type Profile, PROFILES } from "../issuing/profiles.js";
import { parseSubjectAltName, type SubjectAltName } from "../names/subject-alt-name.js";

/** Pigsty's etcd_cluster when the inventory does not set one (roles/etcd/defaults/main.yml). */
export const PIGSTY_DEFAULT_ETCD_CLUSTER = "etcd";

/**
 * One certificate a fleet should have, as Pigsty lays it out in `files/pki`:
 * - a PostgreSQL instance: `pgsql/<cluster>-<seq>.crt`, signed for the cluster's one key
 *   `pgsql/<cluster>.key` (roles/pgsql/tasks/cert.yml), presented by PostgreSQL, pgbouncer and Patroni;
 * - an etcd member: `etcd/<etcd_cluster>-<etcd_seq>.{key,crt}`, a key of its own (roles/etcd/tasks/config.yml).
 */
export interface PlannedCertificate {
  readonly kind: "pgsql" | "etcd";
  /** The inventory host (its address, as Pigsty inventories name hosts; or its name, reached at ansible_host). */
  readonly host: string;
  /** pg_cluster or etcd_cluster. */
  readonly cluster: string;
  /** Folder under the PKI root: `pgsql` or `etcd`. */
  readonly group: string;
  /** pg_seq or etcd_seq. */
  readonly seq: number;
  /** `<cluster>-<seq>`, Pigsty's instance name. */
  readonly commonName: string;
  readonly profile: Profile;
  /** Every name the instance answers to, in a fixed order (the order they are written in). */
  readonly subjectAltNames: readonly SubjectAltName[];
  /** Paths relative to the PKI root. */
  readonly certPath: string;
  readonly keyPath: string;
  /** The key is the cluster's, shared by every instance of it (pgsql); otherwise the instance's own. */
  readonly sharedKey: boolean;
}

export interface FleetPlanOptions {
  /** Only this pg_cluster (or etcd_cluster). Default: every cluster of the inventory. */
  readonly cluster?: string;
}

function configError(code: string, message: string): PgwardenError {
  return new PgwardenError(code, message, ExitCode.config);
}

/** A name from the inventory as a SAN; a value that is no host name is a config error naming where it came from. */
function san(inventory: Inventory, host: string, key: string, value: string): SubjectAltName {
  try {
    return parseSubjectAltName(value);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw configError(
      "bad-fleet-name",
      `${inventory.file}: host ${host}: ${key} ${JSON.stringify(value)} cannot be a certificate name: ${why}`,
    );
  }
}

function unique(names: SubjectAltName[]): SubjectAltName[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const key = `${name.type}:${name.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The VIP's address without its prefix length (`10.10.10.2/24`), when pg_vip_enabled (Pigsty binds it only then). */
function vipAddress(vars: ReturnType<typeof hostVars>): string | undefined {
  if (vars.pg_vip_enabled !== true || vars.pg_vip_address === undefined) return undefined;
  return vars.pg_vip_address.split("/")[0];
}

/**
 * The host's own names. Pigsty keys its inventories by address and names `IP:{{ inventory_hostname }}`
 * (roles/pgsql/tasks/cert.yml, roles/etcd/tasks/config.yml); its ansible_host is then an SSH alias
 * (conf/build/dev.yml: `10.10.10.9: { ansible_host: el9 }`) that it does not put in certificates, nor
 * does pgwarden. A host keyed by name is that name, and is reached at its ansible_host: an IP
 * address (the host's address) or a DNS name, named too.
 */
function hostNames(host: string, vars: ReturnType<typeof hostVars>): { key: string; value: string | undefined }[] {
  if (isIP(host) !== 0) return [{ key: "host", value: host }];
  return [
    { key: "host", value: host },
    { key: "ansible_host", value: vars.ansible_host },
  ];
}

/** The names Pigsty puts in an instance certificate (localhost, 127.0.0.1, the host), and those the issue asks for beside them. */
function instanceNames(
  inventory: Inventory,
  host: string,
  names: { key: string; value: string | undefined }[],
): SubjectAltName[] {
  const all = [
    ...names,
    ...hostNames(host, hostVars(inventory, host)),
    { key: "localhost", value: "localhost" },
    { key: "loopback", value: "127.0.0.1" },
  ].filter((name): name is { key: string; value: string } => name.value !== undefined);
  return unique(all.map(({ key, value }) => san(inventory, host, key, value)));
}

function pgsqlCertificates(inventory: Inventory, hosts: readonly string[]): PlannedCertificate[] {
  return hosts.flatMap((host) => {
    const vars = hostVars(inventory, host);
    if (vars.pg_cluster === undefined || vars.pg_seq === undefined) return [];
    const cluster = vars.pg_cluster;
    const commonName = `${cluster}-${vars.pg_seq}`;
    const subjectAltNames = instanceNames(inventory, host, [
      { key: "instance", value: commonName },
      { key: "pg_cluster", value: cluster },
      { key: "pg_vip_address", value: vipAddress(vars) },
      { key: "nodename", value: vars.nodename },
    ]);
    return [
      {
        kind: "pgsql" as const,
        host,
        cluster,
        seq: vars.pg_seq,
        group: "pgsql",
        commonName,
        profile: PROFILES.server,
        subjectAltNames,
        certPath: `pgsql/${commonName}.crt`,
        keyPath: `pgsql/${cluster}.key`,
        sharedKey: true,
      },
    ];
  });
}

function etcdCertificates(inventory: Inventory, hosts: readonly string[]): PlannedCertificate[] {
  return hosts.flatMap((host) => {
    const vars = hostVars(inventory, host);
    if (vars.etcd_seq === undefined) return [];
    const cluster = vars.etcd_cluster ?? PIGSTY_DEFAULT_ETCD_CLUSTER;
    const commonName = `${cluster}-${vars.etcd_seq}`;
    const subjectAltNames = instanceNames(inventory, host, [
      { key: "instance", value: commonName },
      { key: "nodename", value: vars.nodename },
    ]);
    return [
      {
        kind: "etcd" as const,
        host,
        cluster,
        seq: vars.etcd_seq,
        group: "etcd",
        commonName,
        profile: PROFILES.peer,
        subjectAltNames,
        certPath: `etcd/${commonName}.crt`,
        keyPath: `etcd/${commonName}.key`,
        sharedKey: false,
      },
    ];
  });
}

/** Two hosts with one instance name would overwrite each other's certificate. */
function assertDistinct(inventory: Inventory, planned: readonly PlannedCertificate[]): void {
  const byPath = new Map<string, string>();
  for (const item of planned) {
    const other = byPath.get(item.certPath);
    if (other !== undefined) {
      const seq = item.kind === "pgsql" ? "pg_seq" : "etcd_seq";
      throw configError(
        "duplicate-instance",
        `${inventory.file}: hosts ${other} and ${item.host} are both ${item.commonName}: give each a distinct ${seq}`,
      );
    }
    byPath.set(item.certPath, item.host);
  }
}

/**
 * What certificates a Pigsty inventory's fleet should have: one server certificate per
 * PostgreSQL instance (CN `<cluster>-<seq>`; SANs the instance name, the cluster name, the
 * VIP when pg_vip_enabled, the nodename when set, the host's address (the inventory key; for a
 * host keyed by name, that name and its ansible_host), localhost and 127.0.0.1, as Pigsty's own),
 * and one peer certificate per etcd member; by cluster, then
 * sequence number. Pure: reads no file.
 */
export function planFleet(inventory: Inventory, options: FleetPlanOptions = {}): PlannedCertificate[] {
  const hosts = [...inventory.hostVars.keys()];
  const bySeq = (a: PlannedCertificate, b: PlannedCertificate) => compareText(a.cluster, b.cluster) || a.seq - b.seq;
  const planned = [
    ...pgsqlCertificates(inventory, hosts).sort(bySeq),
    ...etcdCertificates(inventory, hosts).sort(bySeq),
  ];
  assertDistinct(inventory, planned);
  if (options.cluster === undefined) return planned;
  const chosen = planned.filter((item) => item.cluster === options.cluster);
  if (chosen.length === 0) {
    const known = [...new Set([...clusterNames(inventory), ...planned.map((item) => item.cluster)])].sort(compareText);
    const which = known.length > 0 ? `clusters are ${known.join(", ")}` : "it defines no pg_cluster or etcd_seq";
    throw notFoundError(
      "unknown-cluster",
      `no cluster ${JSON.stringify(options.cluster)} in ${inventory.file}: ${which}`,
    );
  }
  return chosen;
}
