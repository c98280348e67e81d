import { type Severity } from "../../../core/finding.js";
import { md5Secret } from "../../../roles/md5.js";
import { parseScramVerifier, scramMatches } from "../../../roles/scram.js";
import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { type Evidence } from "../../audit-finding.js";
import { INVENTORY_DEFAULTS } from "../../facts/inventory-pigsty-defaults.js";
import { type InventoryView, inventoryViewFact } from "../../facts/inventory-view.js";
import { reposInUse } from "./backup-repos.js";
import {
  ansibleTruth,
  clusterScopes,
  pgsqlPlaybook,
  valuesOver,
  varEvidence,
  varLocation,
  varOrigin,
  type VarScope,
  varSubject,
} from "./inventory-values.js";

/** A verifier with more iterations than this is not tried: a hostile inventory must not stall the audit. */
const MAX_TRIED_ITERATIONS = 100_000;

/** A credential Pigsty ships with a published value: where it is used, how bad its default is, what it opens. */
interface DefaultCredential {
  readonly key: string;
  readonly severity: Severity;
  /** What someone who knows the default gets. */
  readonly opens: string;
  /** The PostgreSQL role the password is set on, for a pre-hashed md5 secret (whose salt is the role name). */
  readonly roleKey?: string;
  readonly defaultRole?: string;
  /** A key shown beside it, never by value (MinIO's access key, the user name of its root secret). */
  readonly companion?: string;
  /** How the new value reaches the running service, for the scopes given (`cluster pg-test`) and the inventory file. */
  apply(scopes: readonly string[], file: string): string;
  scopes(view: InventoryView): VarScope[];
}

const clusters = (view: InventoryView): VarScope[] => clusterScopes(view);

/** The cluster names of scopes labelled `cluster <name>`. */
const clusterNamesOf = (scopes: readonly string[]): string[] => scopes.map((scope) => scope.replace(/^cluster /, ""));

/** pgwarden sets the system users' passwords on each cluster (ALTER ROLE with a SCRAM verifier). */
const roleApply = (scopes: readonly string[], file: string): string =>
  clusterNamesOf(scopes)
    .map((cluster) => `pgwarden role apply --inventory ${file} --cluster ${cluster}`)
    .join("; ");

/** Patroni's configuration holds the password: re-rendered by Pigsty's pg_config tag, then Patroni reloaded. */
const patroniConfig = (scopes: readonly string[]): string =>
  `${pgsqlPlaybook(scopes, "pg_config")}, then patronictl reload each cluster`;

const credentials: readonly DefaultCredential[] = [
  {
    key: "pg_admin_password",
    severity: "critical",
    opens: "a superuser login (dbuser_dba) that Pigsty's rules admit from the intranet, and from anywhere over TLS",
    roleKey: "pg_admin_username",
    defaultRole: "dbuser_dba",
    apply: roleApply,
    scopes: clusters,
  },
  {
    key: "pg_replication_password",
    severity: "high",
    opens: "the replication user, which can stream a copy of every database",
    roleKey: "pg_replication_username",
    defaultRole: "replicator",
    apply: (scopes, file) => `${roleApply(scopes, file)}; ${patroniConfig(scopes)} (patroni.yml holds it)`,
    scopes: clusters,
  },
  {
    key: "pg_monitor_password",
    severity: "high",
    opens: "the monitor user, a member of pg_monitor and dbrole_readonly: it reads every table",
    roleKey: "pg_monitor_username",
    defaultRole: "dbuser_monitor",
    apply: (scopes, file) =>
      `${roleApply(scopes, file)}; ${pgsqlPlaybook(scopes, "monitor")} (the exporters log in with it)`,
    scopes: clusters,
  },
  {
    key: "patroni_password",
    severity: "high",
    opens: "Patroni's REST API: switchover, restart and reconfiguration of the cluster",
    apply: (scopes) => patroniConfig(scopes),
    scopes: clusters,
  },
  {
    key: "grafana_admin_password",
    severity: "high",
    opens: "Grafana's admin, with its data sources into every monitored database",
    apply: () =>
      "on each infra node: grafana-cli admin reset-admin-password (Grafana reads grafana.ini's admin password only at its first start)",
    scopes: (view) => (view.infra ? [{ label: "infra nodes", hosts: view.infra.hosts }] : []),
  },
  {
    key: "haproxy_admin_password",
    severity: "high",
    opens: "HAProxy's admin page, which can take servers out of the load balancer",
    apply: () => "./node.yml -t haproxy_config,haproxy_reload",
    scopes: (view) => {
      const hosts = view
        .values("haproxy_enabled", view.hosts)
        .filter((entry) => ansibleTruth(entry.value) !== false)
        .flatMap((entry) => entry.hosts);
      return hosts.length > 0 ? [{ label: "nodes running HAProxy", hosts }] : [];
    },
  },
  {
    key: "minio_secret_key",
    severity: "high",
    opens: "MinIO's root account, and with it every backup in the object store",
    companion: "minio_access_key",
    apply: () =>
      "./minio.yml -t minio_config,minio_launch, then update the clients' keys (pgBackRest's repository uses its own user)",
    scopes: (view) => (view.minioHosts.length > 0 ? [{ label: "MinIO nodes", hosts: view.minioHosts }] : []),
  },
  {
    key: "etcd_root_password",
    severity: "high",
    opens: "etcd's root account, and with it the DCS that decides which instance is primary",
    apply: () =>
      "etcdctl user passwd root on one member (etcd keeps it in its own data; the inventory is read only when a cluster is created)",
    scopes: (view) => view.etcd.map((set) => ({ label: `etcd cluster ${set.name}`, hosts: set.hosts })),
  },
];

/** Whether `value` is `password`, written plainly or as a SCRAM or md5 secret made from it. */
function isDefault(value: unknown, password: string, role: string | undefined): boolean {
  if (typeof value !== "string") return false; // {env: NAME} or {file: PATH}: not in the inventory to judge
  if (value === password) return true;
  const verifier = parseScramVerifier(value);
  if (verifier) return verifier.iterations <= MAX_TRIED_ITERATIONS && scramMatches(password, verifier);
  return role !== undefined && value === md5Secret(password, role);
}

/**
 * Pigsty's published default credentials still in force: set to the default, or not set at all
 * (Pigsty then uses its default). Also the default cipher_pass of the backup repository in use.
 */
export const defaultPasswords: AuditCheck = {
  id: "inventory/default-passwords",
  title: "Pigsty's published default passwords are in use",
  layer: "authentication",
  severity: "critical",
  soc2: ["CC6.1"],
  scope: "inventory",
  why: "Pigsty's default passwords are printed in its documentation and source: anyone who can reach the service logs in with them. Leaving the key unset is the same as setting the default.",
  fix: "Generate a password (pgwarden password generate) and set the key in the inventory (all.vars, or the cluster's vars), then apply it: pgwarden role apply --inventory FILE --cluster C for the PostgreSQL users, Pigsty's playbook for the others",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    const drafts: FindingDraft[] = [];
    for (const credential of credentials) {
      const password = INVENTORY_DEFAULTS[credential.key]?.value;
      if (typeof password !== "string") continue;
      for (const { entry, scopes } of valuesOver(view, credential.key, credential.scopes(view))) {
        const roleEntries = credential.roleKey ? view.values(credential.roleKey, entry.hosts) : [];
        const role = roleEntries.length === 1 ? roleEntries[0]?.value : credential.defaultRole;
        if (!isDefault(entry.value, password, typeof role === "string" ? role : credential.defaultRole)) continue;
        drafts.push({
          subject: varSubject(entry),
          severity: credential.severity,
          message: `${credential.key} is Pigsty's published default for ${scopes.join(", ")} (${varOrigin(entry)}): it opens ${credential.opens}`,
          evidence: [varEvidence(entry, "the Pigsty default"), ...companionEvidence(view, credential, entry.hosts)],
          fix: `pgwarden password generate, then set ${credential.key} to it in ${varLocation(entry, `${view.file} (all.vars)`)}; then ${credential.apply(scopes, view.file)}`,
        });
      }
    }
    drafts.push(...defaultCipherPass(view));
    return drafts;
  },
};

/** The companion key's evidence: whether it too is Pigsty's default (never its value). */
function companionEvidence(view: InventoryView, credential: DefaultCredential, hosts: readonly string[]): Evidence[] {
  const key = credential.companion;
  if (key === undefined) return [];
  const published = INVENTORY_DEFAULTS[key]?.value;
  return view
    .values(key, hosts)
    .map((entry) => varEvidence(entry, entry.value === published ? "the Pigsty default" : "not the Pigsty default"));
}

/** The repository in use of each cluster whose cipher_pass is Pigsty's `pgBackRest`: encrypted with a published key. */
function defaultCipherPass(view: InventoryView): FindingDraft[] {
  const password = (INVENTORY_DEFAULTS.pgbackrest_repo?.value as Record<string, { cipher_pass?: string }>).minio
    ?.cipher_pass;
  const drafts: FindingDraft[] = [];
  for (const repo of reposInUse(view)) {
    const { entry, scopes } = repo;
    if (password === undefined || repo.config.cipher_type === undefined || repo.config.cipher_pass !== password)
      continue;
    drafts.push({
      subject: `pgbackrest_repo.${repo.name}.cipher_pass${entry.defaulted || entry.origin === "all.vars" ? "" : ` (${entry.origin})`}`,
      severity: "high",
      message: `the backup repository ${repo.name} of ${scopes.join(", ")} is encrypted with Pigsty's published cipher_pass (${varOrigin(entry)}): whoever reads the bucket decrypts the backups`,
      evidence: [varEvidence(entry, `repository ${repo.name}, cipher_pass the Pigsty default`)],
      fix: `set pgbackrest_repo.${repo.name}.cipher_pass to a generated secret (pgwarden password generate) in ${entry.source ? `${entry.source.file}:${entry.source.line}` : view.file}; a new cipher needs a new stanza: back up again`,
    });
  }
  return drafts;
}
