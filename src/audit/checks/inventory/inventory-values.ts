import { ansibleBool } from "../../../config/ansible-bool.js";
import { type Severity } from "../../../core/finding.js";
import { type FindingDraft } from "../../audit-check.js";
import { type Evidence } from "../../audit-finding.js";
import { type InventoryView, type VarValue } from "../../facts/inventory-view.js";

/** A part of the inventory a variable is judged on: a cluster's members, the etcd nodes, every host. */
export interface VarScope {
  /** `cluster pg-test`, `etcd cluster etcd`, `infra nodes`. */
  readonly label: string;
  readonly hosts: readonly string[];
}

/** One value of a variable and every scope that gets it from the same place. */
export interface ScopedValue {
  readonly entry: VarValue;
  readonly scopes: readonly string[];
}

/**
 * The values `key` takes over `scopes`, each with the scopes that take it from the same place:
 * a password left to Pigsty's default in all.vars is one finding for every cluster, not one each.
 */
export function valuesOver(view: InventoryView, key: string, scopes: readonly VarScope[]): ScopedValue[] {
  const merged = new Map<string, { entry: VarValue; scopes: string[] }>();
  for (const scope of scopes) {
    for (const entry of view.values(key, scope.hosts)) {
      const id = `${entry.origin}\0${entry.source ? `${entry.source.file}:${entry.source.line}` : ""}`;
      const found = merged.get(id);
      if (found) {
        if (!found.scopes.includes(scope.label)) found.scopes.push(scope.label);
      } else merged.set(id, { entry, scopes: [scope.label] });
    }
  }
  return [...merged.values()];
}

/** Tells findings of one variable apart: the key alone when it is global (all.vars or Pigsty's), else where it is set. */
export function varSubject(entry: VarValue): string {
  return entry.defaulted || entry.origin === "all.vars" ? entry.key : `${entry.key} (${entry.origin})`;
}

/** Where the value comes from, in words: `set in group pg-test`, or `not set, so Pigsty's roles/...:58 applies`. */
export function varOrigin(entry: VarValue): string {
  return entry.defaulted ? `not set, so ${entry.origin} applies` : `set in ${entry.origin}`;
}

/**
 * The evidence line for a variable: its value as `shown` (a password is never shown: the caller
 * says "the Pigsty default" instead), where it comes from, and its file:line when it is written.
 */
export function varEvidence(entry: VarValue, shown: string): Evidence {
  return {
    label: `inventory ${entry.key}`,
    value: `${shown} (${varOrigin(entry)})`,
    ...(entry.source ? { source: entry.source } : {}),
  };
}

/** A value as Ansible's `bool` filter reads it; undefined when it is not a boolean at all. */
export function ansibleTruth(value: unknown): boolean | undefined {
  const parsed = ansibleBool.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** A plain value for an evidence line: strings quoted, the rest as JSON. */
export function shownValue(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : (JSON.stringify(value) ?? "nothing");
}

/** The clusters of the view as scopes. */
export function clusterScopes(view: InventoryView): VarScope[] {
  return view.clusters.map((cluster) => ({ label: `cluster ${cluster.name}`, hosts: cluster.members }));
}

/** Pigsty's pgsql.yml limited to each cluster of `scopes` (labelled `cluster <name>`), with `tags`. */
export function pgsqlPlaybook(scopes: readonly string[], tags: string): string {
  return scopes.map((scope) => `./pgsql.yml -l ${scope.replace(/^cluster /, "")} -t ${tags}`).join("; ");
}

/** Where to change a variable: the file:line that sets it, else `fallback` (the inventory's all.vars). */
export function varLocation(entry: VarValue, fallback: string): string {
  return entry.source ? `${entry.source.file}:${entry.source.line}` : fallback;
}

/** What a cluster variable check says about one weak value beyond what {@link weakClusterValues} says. */
export interface WeakValueFinding {
  /** Appended to the message after a colon: what the value means. */
  readonly meaning?: string;
  readonly fix: string;
  readonly severity?: Severity;
}

/**
 * The findings of a variable judged per cluster: each value of `key` that `isWeak`, once for all
 * the clusters that take it from the same place, with the variable as subject, its value and
 * origin as evidence and the message `key is value for clusters (origin)`.
 */
export function weakClusterValues(
  view: InventoryView,
  key: string,
  isWeak: (value: unknown) => boolean,
  finding: (found: ScopedValue) => WeakValueFinding,
): FindingDraft[] {
  return valuesOver(view, key, clusterScopes(view))
    .filter(({ entry }) => isWeak(entry.value))
    .map((found) => {
      const { entry, scopes } = found;
      const { meaning, fix, severity } = finding(found);
      return {
        subject: varSubject(entry),
        ...(severity === undefined ? {} : { severity }),
        message: `${key} is ${shownValue(entry.value)} for ${scopes.join(", ")} (${varOrigin(entry)})${meaning === undefined ? "" : `: ${meaning}`}`,
        evidence: [varEvidence(entry, shownValue(entry.value))],
        fix,
      };
    });
}
