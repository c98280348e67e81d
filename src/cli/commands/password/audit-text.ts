import type { PasswordAuditReport, RoleSummary } from "../../../roles/audit/audit-passwords.js";
import { PASSWORD_CHECKS } from "../../../roles/audit/checks/index.js";
import type { PasswordFinding } from "../../../roles/audit/password-finding.js";
import { severityCounts } from "../../finding-text.js";

const LEGEND_HEADING = "What each finding means and how to fix it:";

function heading(role: RoleSummary | undefined, name: string): string {
  if (!role) return name;
  const traits = [
    role.superuser ? "superuser" : undefined,
    role.login ? "login" : "nologin",
    role.secret === "scram"
      ? `scram-sha-256, ${role.iterations} iterations`
      : role.secret === "none"
        ? "no password"
        : role.secret,
  ].filter(Boolean);
  return `${name} (${traits.join(", ")})`;
}

/** One line per finding: severity, check and what is wrong (and the password found, with --show). */
function findingLine(finding: PasswordFinding): string {
  const shown = finding.password === undefined ? "" : `; password: ${finding.password}`;
  return `  ${finding.severity.toUpperCase().padEnd(8)} ${finding.id}: ${finding.message}${shown}`;
}

/**
 * Why and how to fix, once per kind of finding, in the order the kinds first appear: the same
 * advice under every role would bury the findings. A fix that names the role (weak-password's)
 * is the check's general one here; every finding keeps its own in --format json.
 */
function legendLines(findings: readonly PasswordFinding[]): string[] {
  const kinds = new Map<string, PasswordFinding[]>();
  for (const finding of findings) kinds.set(finding.id, [...(kinds.get(finding.id) ?? []), finding]);
  return [...kinds].flatMap(([id, found]) => {
    const first = found[0] as PasswordFinding;
    const check = PASSWORD_CHECKS.find((each) => each.id === id);
    const fixes = new Set(found.map((finding) => finding.fix));
    const fix = fixes.size === 1 ? first.fix : (check?.fix ?? first.fix);
    const kind = `${first.severity}${check ? `, ${check.title}` : ""}`;
    return [
      `  ${id} (${kind}), ${found.length} ${found.length === 1 ? "finding" : "findings"}`,
      `    why: ${first.why}`,
      `    fix: ${fix}`,
    ];
  });
}

/** The audit for a person: one block per role, the worst role first, one line per finding; then why and the fix once per kind, and the counts. */
export function auditText(report: PasswordAuditReport): string {
  const roles = new Map(report.roles.map((role) => [role.name, role]));
  const lines: string[] = [];
  let last: string | undefined;
  for (const finding of report.findings) {
    if (finding.role !== last) {
      lines.push("", heading(roles.get(finding.role), finding.role));
      last = finding.role;
    }
    lines.push(findingLine(finding));
  }
  if (report.findings.length > 0) lines.push("", LEGEND_HEADING, ...legendLines(report.findings));
  const flagged = new Set(report.findings.map((finding) => finding.role)).size;
  const scope = `${report.rolesAudited} roles audited, ${report.secretsTested} stored secrets tried against their names' variants and ${report.sharedGuesses} shared guesses (${report.guessesTried} guesses)`;
  lines.push(
    "",
    report.findings.length === 0
      ? `${scope}: no findings`
      : `${scope}: ${report.findings.length} findings on ${flagged} roles (${severityCounts(report.findings)})`,
  );
  return lines.join("\n").trimStart();
}
