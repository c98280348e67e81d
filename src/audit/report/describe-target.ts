import { type TargetResult } from "./audit-report.js";

/** What the reports say of a target after its name: its server and who audited it, or why it was not audited. */
export function describeTarget(target: TargetResult): string {
  if (!target.reachable) return `not audited: ${target.error ?? "unreachable"}`;
  if (target.kind === "inventory") return "inventory";
  const who = target.user ? `, as ${target.user}${target.superuser ? " (superuser)" : ""}` : "";
  const cluster = target.cluster ? `, cluster ${target.cluster}` : "";
  return `PostgreSQL ${target.serverVersion ?? "(version unknown)"}${who}${cluster}`;
}
