import { type SourceLocation } from "../core/source-location.js";
import { clusterGroups, clusterMembers, type Inventory } from "./inventory.js";

/**
 * Where the value of `key` that the cluster as a whole uses is written: in the last group
 * (Ansible's order) that sets it, else in all.vars, as instanceVars merges them. Undefined
 * when the inventory does not set it (Pigsty's default applies) or the loader did not record it.
 */
export function clusterVarSource(inventory: Inventory, cluster: string, key: string): SourceLocation | undefined {
  for (const group of clusterGroups(inventory, cluster).reverse()) {
    if (Object.hasOwn(group.vars, key)) return group.varSources?.get(key);
  }
  return Object.hasOwn(inventory.vars, key) ? inventory.varSources?.get(key) : undefined;
}

/**
 * The cluster's entry in the inventory, where a default the inventory leaves unset comes into
 * force for it: the group named after the cluster (`pg-test:`), else the most specific group
 * that holds all its members, else the line of its first member, else the file's first line.
 */
export function clusterSource(inventory: Inventory, cluster: string): SourceLocation {
  const groups = clusterGroups(inventory, cluster);
  const group = groups.find((each) => each.name === cluster) ?? groups[groups.length - 1];
  if (group) return group.source;
  const first = clusterMembers(inventory, cluster)[0];
  return (first !== undefined ? inventory.hostSources?.get(first) : undefined) ?? { file: inventory.file, line: 1 };
}
