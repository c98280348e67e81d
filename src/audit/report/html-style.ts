/**
 * The HTML report's stylesheet, inline because the page makes no request: system fonts, a
 * readable measure on a laptop screen, one colour per severity and per score band, and a print
 * layout without the filters, with findings kept whole on a page.
 */
export const HTML_STYLE = `
:root {
  --ink: #1d232b; --muted: #5b6573; --line: #dfe3e8; --paper: #ffffff; --wash: #f5f7f9;
  --critical: #a4161a; --high: #d9480f; --medium: #b07d00; --low: #1971c2; --info: #6b7280;
  --good: #2b8a3e; --fair: #c77c02; --poor: #c92a2a;
  --expired: #8f1d21; --urgent: #e03131; --soon: #f08c00; --ok: #2f9e44;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { background: var(--wash); }
body {
  margin: 0 auto; max-width: 1120px; padding: 32px 28px 64px; color: var(--ink); background: var(--wash);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
h1 { font-size: 28px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 40px 0 14px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 0; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
.muted { color: var(--muted); }
.page-header { display: flex; gap: 28px; align-items: center; background: var(--paper); border: 1px solid var(--line);
  border-radius: 12px; padding: 24px 28px; }
.page-header .summary { flex: 1; min-width: 0; }
.targets { list-style: none; margin: 10px 0 0; padding: 0; }
.targets li { margin: 2px 0; }
.targets .down { color: var(--poor); }
.score-ring { flex: none; width: 132px; height: 132px; }
.score-ring .track { stroke: var(--line); }
.score-ring text { font-weight: 700; fill: var(--ink); }
.good { --band: var(--good); } .fair { --band: var(--fair); } .poor { --band: var(--poor); }
.unassessed { --band: var(--muted); }
.score-ring .value { stroke: var(--band); }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 12px; }
.chip { display: inline-block; padding: 1px 10px; border-radius: 999px; font-size: 13px; font-weight: 600; color: #fff;
  background: var(--sev); }
.sev-critical { --sev: var(--critical); } .sev-high { --sev: var(--high); } .sev-medium { --sev: var(--medium); }
.sev-low { --sev: var(--low); } .sev-info { --sev: var(--info); } .chip.none { background: var(--good); }
.layers { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 14px; }
.layer { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; }
.layer .score { font-size: 30px; font-weight: 700; color: var(--band); }
.layer .score small { font-size: 14px; color: var(--muted); font-weight: 400; }
.bar { height: 8px; border-radius: 4px; background: var(--line); overflow: hidden; margin: 6px 0 8px; }
.bar span { display: block; height: 100%; background: var(--band); }
.filters { display: flex; flex-wrap: wrap; gap: 10px 28px; align-items: center; background: var(--paper);
  border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; margin-bottom: 16px; }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; }
.filters legend { float: left; font-weight: 600; margin-right: 6px; }
.filters label { cursor: pointer; white-space: nowrap; }
.filters output { margin-left: auto; color: var(--muted); }
.finding { background: var(--paper); border: 1px solid var(--line); border-left: 5px solid var(--sev); border-radius: 10px;
  padding: 16px 20px; margin: 0 0 12px; }
.finding header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 12px; }
.finding .check-id { color: var(--muted); }
.finding .target { margin-left: auto; color: var(--muted); font-size: 13px; }
.badge-new { font-size: 12px; font-weight: 700; color: #7a4d00; background: #fff3bf; border-radius: 4px; padding: 0 6px; }
.finding .message { margin: 8px 0; }
.evidence { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 8px 0; font-size: 14px; }
.evidence dt { color: var(--muted); }
.evidence dd { margin: 0; overflow-wrap: anywhere; }
.evidence .where { color: var(--muted); margin-left: 6px; }
.fix { margin: 10px 0 4px; }
.fix pre { margin: 4px 0 0; padding: 10px 12px; background: #f1f3f5; border-radius: 6px; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.finding details { margin-top: 6px; color: var(--muted); font-size: 14px; }
.refs { font-size: 12px; color: var(--muted); margin: 6px 0 0; }
table { width: 100%; border-collapse: collapse; background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
  overflow: hidden; font-size: 14px; }
th, td { text-align: left; padding: 9px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
tr:last-child td { border-bottom: 0; }
.status { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 13px; font-weight: 600; white-space: nowrap; }
.status-met { background: #d3f9d8; color: #1b5e20; } .status-partly-met { background: #fff3bf; color: #7a4d00; }
.status-not-met { background: #ffe3e3; color: #8f1d21; } .status-not-assessed { background: #e9ecef; color: #495057; }
.chart { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 12px; }
.timeline { width: 100%; height: auto; display: block; font-size: 12px; }
.timeline .tick line { stroke: var(--line); }
.timeline .tick text, .timeline .cert-days { fill: var(--muted); }
.timeline .cert-label { fill: var(--ink); }
.timeline .cert { --cert: var(--ok); }
.timeline .cert.expired { --cert: var(--expired); } .timeline .cert.urgent { --cert: var(--urgent); }
.timeline .cert.soon { --cert: var(--soon); }
.timeline .cert-bar { fill: var(--cert); opacity: 0.35; }
.timeline .cert-expiry, .timeline .cert-arrow { fill: var(--cert); }
.timeline .now line { stroke: var(--ink); stroke-width: 1.5; stroke-dasharray: 4 3; }
.timeline .now text { fill: var(--ink); font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; font-size: 13px; color: var(--muted); margin: 8px 4px 0; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px;
  background: var(--cert); }
.legend .expired { --cert: var(--expired); } .legend .urgent { --cert: var(--urgent); } .legend .soon { --cert: var(--soon); }
.legend .ok { --cert: var(--ok); }
.left-expired, .left-urgent { color: var(--urgent); font-weight: 600; } .left-soon { color: var(--soon); }
footer { margin-top: 48px; font-size: 13px; color: var(--muted); }
@media print {
  html, body { background: #fff; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  .filters { display: none; }
  .finding, .layer, table, .chart { break-inside: avoid; }
  .page-header, .finding, .layer, table, .chart { border-color: #bbb; }
  details { display: block; }
  h2 { break-after: avoid; }
}
`;
