import { severityRank } from "../core/finding.js";
import { type AuditCheck } from "./audit-check.js";
import { type AuditFinding } from "./audit-finding.js";
import { type CheckNotRun, type CheckRun, type Soc2Row } from "./report/audit-report.js";
import { SOC2_CONTROLS, SOC2_TITLES } from "./soc2.js";

/**
 * 001's SOC 2 table filled in for the fleet audited: a control is not met when a high or
 * critical finding bears on it, partly met when only medium or low ones do (info findings are
 * worth knowing, not a gap) or when some of its
 * checks could not run, met when every check mapped to it ran and found nothing, and not
 * assessed when none of its checks ran.
 */
export function soc2Table(
  checks: readonly AuditCheck[],
  runs: readonly CheckRun[],
  notRun: readonly CheckNotRun[],
  findings: readonly AuditFinding[],
): Soc2Row[] {
  const controlsOf = new Map(checks.map((check) => [check.id, check.soc2]));
  return SOC2_CONTROLS.map((control) => {
    const bears = (checkId: string) => controlsOf.get(checkId)?.includes(control) ?? false;
    const ran = runs.filter((run) => bears(run.check));
    const missing = notRun.filter((entry) => bears(entry.check));
    const behind = findings.filter((finding) => finding.soc2.includes(control) && finding.severity !== "info");
    const serious = behind.filter((finding) => severityRank(finding.severity) >= severityRank("high"));
    const { title } = SOC2_TITLES[control];
    const row = (status: Soc2Row["status"], basis: string): Soc2Row => ({
      control,
      title,
      status,
      basis,
      findings: behind.map((finding) => finding.fingerprint),
    });
    if (serious.length > 0) return row("not met", `${count(serious.length, "high or critical finding")}`);
    if (behind.length > 0) return row("partly met", `${count(behind.length, "medium or low finding")}`);
    if (ran.length === 0) return row("not assessed", "none of its checks could run");
    if (missing.length > 0)
      return row("partly met", `${count(ran.length, "check")} passed, ${count(missing.length, "check")} could not run`);
    return row("met", `${count(ran.length, "check")} ran, none found anything`);
  });
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
