import { type InventoryView, type VarValue } from "../../facts/inventory-view.js";
import { ansibleTruth } from "./inventory-values.js";

/** pgBackRest repository types whose files leave the host (pgBackRest's repo-type): posix is the local disk. */
export const REMOTE_REPO_TYPES = ["s3", "gcs", "azure", "sftp", "cifs"] as const;

/** A pgBackRest repository a cluster backs up to (pgbackrest_repo[pgbackrest_method]), and where it is defined. */
export interface RepoInUse {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** The pgbackrest_repo value that defines it. */
  readonly entry: VarValue;
  /** `cluster pg-test`, for every cluster that uses it from the same place. */
  readonly scopes: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a repository sends backups off the host (its type is not posix, pgBackRest's default). */
export function isRemoteRepo(config: Readonly<Record<string, unknown>>): boolean {
  return (REMOTE_REPO_TYPES as readonly unknown[]).includes(config.type);
}

/**
 * The repositories the audited clusters back up to: the entry of pgbackrest_repo named by
 * pgbackrest_method, on members where pgbackrest_enabled is not false. A repository defined
 * but not selected holds no backup, so it is not judged.
 */
export function reposInUse(view: InventoryView): RepoInUse[] {
  const merged = new Map<
    string,
    { name: string; config: Record<string, unknown>; entry: VarValue; scopes: string[] }
  >();
  for (const cluster of view.clusters) {
    const members = view
      .values("pgbackrest_enabled", cluster.members)
      .filter((entry) => ansibleTruth(entry.value) !== false)
      .flatMap((entry) => entry.hosts);
    if (members.length === 0) continue;
    for (const method of view.values("pgbackrest_method", members)) {
      const name = String(method.value);
      for (const entry of view.values("pgbackrest_repo", method.hosts)) {
        const config = isRecord(entry.value) ? entry.value[name] : undefined;
        if (!isRecord(config)) continue;
        const id = `${name}\0${entry.origin}\0${entry.source ? `${entry.source.file}:${entry.source.line}` : ""}`;
        const found = merged.get(id);
        const label = `cluster ${cluster.name}`;
        if (found) {
          if (!found.scopes.includes(label)) found.scopes.push(label);
        } else merged.set(id, { name, config, entry, scopes: [label] });
      }
    }
  }
  return [...merged.values()];
}
