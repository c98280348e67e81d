import { LAYER_TITLES, LAYERS } from "../layer.js";
import { type AuditReport } from "./audit-report.js";

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text made safe inside HTML: a role or a rule may hold `<script>`. */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);

/**
 * The report as one self-contained HTML page (no request of any kind: a CSP forbids them): the
 * scores per layer, the findings with evidence and fix, the SOC 2 table. The smallest honest
 * version: helper 6's (filters, the certificate-expiry chart) replaces it.
 */
export function renderHtml(report: AuditReport): string {
  const rows = (cells: readonly string[]) => `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`;
  const layers = LAYERS.map((layer) => {
    const score = report.scores.layers[layer];
    return rows([LAYER_TITLES[layer].title, `${score.score}/100`, `${score.checksPassed} of ${score.checksRun}`]);
  });
  const findings = report.findings.map(
    (finding) =>
      `<li class="${escapeHtml(finding.severity)}"><strong>${escapeHtml(finding.severity.toUpperCase())} ${escapeHtml(finding.id)}</strong> on ${escapeHtml(finding.target)}: ${escapeHtml(finding.message)}<ul>${finding.evidence
        .map(
          (evidence) =>
            `<li>${escapeHtml(evidence.label)}: ${escapeHtml(evidence.value)}${evidence.source ? ` (${escapeHtml(`${evidence.source.file}:${evidence.source.line}`)})` : ""}</li>`,
        )
        .join("")}<li>fix: <code>${escapeHtml(finding.fix)}</code></li></ul></li>`,
  );
  const soc2 = report.soc2.map((row) => rows([row.control, row.title, row.status, row.basis]));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>pgwarden audit ${escapeHtml(report.generatedAt)}</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}td{padding:.2rem .6rem}.critical,.high{color:#a00}</style>
</head><body>
<h1>pgwarden audit: ${report.scores.overall.score}/100</h1>
<p>${escapeHtml(report.generatedAt)}, ${report.targets.length} targets: ${escapeHtml(report.targets.map((target) => target.name).join(", "))}</p>
<h2>Layers</h2><table>${layers.join("")}</table>
<h2>Findings (${report.findings.length})</h2><ul>${findings.join("")}</ul>
<h2>SOC 2</h2><table>${soc2.join("")}</table>
</body></html>
`;
}
