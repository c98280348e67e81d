import type { Finding } from "../../core/finding.js";
import { type SourceLocation } from "../../core/source-location.js";
import type { HbaRule } from "../model.js";

/** Stands for the address in a message while messages are compared; no message holds a NUL. */
const ADDRESS = "\u0000address\u0000";

/**
 * One finding per source rule and check: an inventory rule whose alias renders several lines
 * (`intra` is 10/8, 192.168/16 and 172.16/12) gives the same finding on each, so those of one
 * check and severity become one finding at the first line, the others listed in
 * {@link Finding.alsoAt}: its message names every address when the messages differ only by
 * it, else it is the distinct messages joined by "; ". `originOf` names a rule's source rule
 * (undefined: the line is its own rule, as in a pg_hba.conf); `rules` gives each finding's
 * rule by its source (the same object lint put in the finding).
 */
export function groupBySourceRule(
  findings: readonly Finding[],
  rules: readonly HbaRule[],
  originOf: (source: SourceLocation) => string | undefined,
): Finding[] {
  const ruleAt = new Map(rules.map((rule) => [rule.source, rule]));
  const groups = new Map<string, { first: number; members: Finding[]; addresses: (string | undefined)[] }>();
  const out: (Finding | undefined)[] = [];
  for (const finding of findings) {
    const origin = originOf(finding.source);
    const address = ruleAt.get(finding.source)?.address;
    if (origin === undefined) {
      out.push(finding);
      continue;
    }
    const key = [finding.id, finding.severity, origin].join("\u0000");
    const group = groups.get(key);
    if (group) {
      group.members.push(finding);
      group.addresses.push(address);
      continue;
    }
    groups.set(key, { first: out.length, members: [finding], addresses: [address] });
    out.push(finding);
  }
  for (const group of groups.values()) {
    if (group.members.length < 2) continue;
    const [first, ...rest] = group.members as [Finding, ...Finding[]];
    out[group.first] = {
      ...first,
      message: groupMessage(group.members, group.addresses),
      alsoAt: rest.map((member) => ({ source: member.source, rule: member.rule })),
    };
  }
  return out.filter((finding): finding is Finding => finding !== undefined);
}

/** `x from A, B, C` when the messages differ only by their rule's address; else each distinct message once, joined. */
function groupMessage(members: readonly Finding[], addresses: readonly (string | undefined)[]): string {
  const templates = members.map((member, index) => {
    const address = addresses[index];
    return address !== undefined && member.message.includes(address)
      ? member.message.split(address).join(ADDRESS)
      : undefined;
  });
  const [template] = templates;
  if (template !== undefined && templates.every((other) => other === template))
    return template.split(ADDRESS).join([...new Set(addresses)].join(", "));
  return [...new Set(members.map((member) => member.message))].join("; ");
}
