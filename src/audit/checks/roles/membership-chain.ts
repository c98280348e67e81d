import { type RoleInfo } from "../../facts/roles.js";

/**
 * The shortest chain of memberships from `role` to a role `isTarget` accepts (both ends
 * included), or undefined when there is none. Every membership counts, inherited or not:
 * NOINHERIT only means the member must SET ROLE first, which it may.
 */
export function membershipChain(
  role: RoleInfo,
  isTarget: (name: string) => boolean,
  byName: ReadonlyMap<string, RoleInfo>,
): readonly string[] | undefined {
  const seen = new Set([role.name]);
  let paths: string[][] = [[role.name]];
  while (paths.length > 0) {
    const next: string[][] = [];
    for (const path of paths) {
      const last = byName.get(path[path.length - 1] as string);
      for (const group of last?.memberOf ?? []) {
        if (isTarget(group)) return [...path, group];
        if (seen.has(group)) continue;
        seen.add(group);
        next.push([...path, group]);
      }
    }
    paths = next;
  }
  return undefined;
}
