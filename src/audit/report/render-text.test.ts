import assert from "node:assert/strict";
import { test } from "node:test";

import { fixtureReport, HOSTILE_ROLE } from "../../../test/support/audit-report-fixture.js";
import { LAYER_TITLES, LAYERS } from "../layer.js";
import { type AuditReport } from "./audit-report.js";
import { renderText } from "./render-text.js";

const SGR = /\u001b\[[0-9;]*m/g;

/** The line index of the first line containing `text`. */
function lineOf(lines: readonly string[], text: string): number {
  const index = lines.findIndex((line) => line.includes(text));
  assert.ok(index >= 0, `no line has ${JSON.stringify(text)}`);
  return index;
}

test("findings are grouped under their layer's title and score, layers worst score first, findings worst first", () => {
  const report = fixtureReport();
  const lines = renderText(report, { color: false }).split("\n");
  const headings = LAYERS.map((layer) => ({ layer, at: lineOf(lines, LAYER_TITLES[layer].title) }));
  const scores = [...headings].sort((a, b) => a.at - b.at).map(({ layer }) => report.scores.layers[layer].score);
  assert.deepEqual(
    scores,
    [...scores].sort((a, b) => a - b),
    "layers in order of score, lowest first",
  );
  for (const { layer, at } of headings) {
    const score = report.scores.layers[layer];
    assert.match(
      lines[at] ?? "",
      new RegExp(`${score.score}/100 +${score.checksPassed} of ${score.checksRun} checks passed`),
    );
    const next = Math.min(...headings.map((entry) => entry.at).filter((other) => other > at), lineOf(lines, "SOC 2"));
    const block = lines.slice(at + 1, next);
    const mine = report.findings.filter((finding) => finding.layer === layer);
    const shown = block.filter((line) => /^ {2}[A-Z]+ +\S+ on /.test(line));
    assert.equal(shown.length, mine.length, `${layer}: one line per finding`);
    const order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"];
    const ranks = shown.map((line) => order.indexOf(line.trim().split(" ")[0] ?? ""));
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
      `${layer}: worst first`,
    );
  }
});

test("each finding shows severity, id, target, message, evidence with file:line, and the fix", () => {
  const lines = renderText(fixtureReport(), { color: false }).split("\n");
  const at = lineOf(lines, "tls/ssl-off on 127.0.0.1:5432");
  assert.equal(lines[at], "  CRITICAL tls/ssl-off on 127.0.0.1:5432: ssl is off: the server accepts no TLS connection");
  assert.equal(lines[at + 1], "           setting ssl: off (/var/lib/postgresql/15/main/postgresql.conf:12)");
  assert.equal(lines[at + 2], "           fix: fix for tls/ssl-off");
  const md5 = lineOf(lines, "auth/password-encryption on");
  assert.equal(lines[md5 + 1], "           setting password_encryption: md5 (postgresql.auto.conf:3)");
  assert.equal(
    lines[md5 + 2],
    "           fix: ALTER SYSTEM SET password_encryption = 'scram-sha-256'; SELECT pg_reload_conf();",
  );
  const lint = lineOf(lines, "trust-from-network on");
  assert.equal(lines[lint + 1], "           at pg_hba.conf:4", "a finding about a written rule says where it is");
});

test("checks not run are listed with the grant that would let them run, then the SOC 2 table, then the summary last", () => {
  const report = fixtureReport();
  const lines = renderText(report, { color: false }).trimEnd().split("\n");
  const notRun = lineOf(lines, "Checks not run (2)");
  assert.equal(lines[notRun + 1], "  passwords/weak on 127.0.0.1:5433: reading pg_authid needs a superuser");
  assert.equal(
    lines[notRun + 2],
    "           to run it: ALTER ROLE auditor SUPERUSER (or run the password audit offline)",
  );
  assert.equal(lines[notRun + 4], "           to run it: GRANT pg_read_server_files TO auditor");
  const soc2 = lineOf(lines, "SOC 2 controls");
  assert.ok(soc2 > notRun);
  for (const [index, row] of report.soc2.entries()) {
    const line = lines[soc2 + 1 + index] ?? "";
    assert.match(
      line,
      new RegExp(`^ {2}${row.control.replace(".", "\\.")} +${row.title} +${row.status} +${row.basis}$`),
    );
  }
  assert.ok(
    report.soc2.some((row) => row.status === "not met"),
    "the fixture has a control not met",
  );
  const counts = ["critical", "high", "medium", "low", "info"]
    .map((severity) => [severity, report.findings.filter((finding) => finding.severity === severity).length] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => `${n} ${severity}`)
    .join(", ");
  assert.equal(
    lines.at(-1),
    `overall ${report.scores.overall.score}/100: ${counts} (${report.findings.length} findings) on 2 targets; 2 checks not run`,
  );
});

test("server-provided text is escaped: a role named with terminal escapes and a bidi override shows them as escapes", () => {
  const text = renderText(fixtureReport(), { color: false });
  assert.doesNotMatch(
    text,
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/,
    "no raw control character but line breaks",
  );
  const shown = HOSTILE_ROLE.replace("\u001b", "\\x1b").replace("\u202e", "\\u{202E}");
  assert.ok(text.includes(`role ${shown} is a login superuser`), "the escapes are shown");
  assert.ok(text.includes('<script>alert("x")</script>'), "text is not HTML-escaped in a terminal");
  const coloured = renderText(fixtureReport(), { color: true });
  assert.doesNotMatch(coloured.replace(SGR, ""), /[\u0000-\u0009\u000b-\u001f\u202e]/, "only colour escapes are added");
});

test("colour only when asked: the coloured text is the plain text with SGR codes around severities, scores and statuses", () => {
  const plain = renderText(fixtureReport(), { color: false });
  const coloured = renderText(fixtureReport(), { color: true });
  assert.doesNotMatch(plain, /\u001b/);
  assert.equal(coloured.replace(SGR, ""), plain);
  assert.ok(coloured.includes("\u001b[1;31mCRITICAL\u001b[0m"), "critical in bold red");
  assert.ok(coloured.includes("\u001b[31mHIGH    \u001b[0m"), "high in red");
  assert.ok(coloured.includes("\u001b[1;31mnot met     \u001b[0m"), "a control not met in bold red");
  assert.equal(renderText(fixtureReport()), plain, "no colour by default");
});

test("with a baseline: new findings are marked, fixed ones listed, and the summary counts new, fixed and unchanged", () => {
  const report = fixtureReport({ baseline: true });
  const { baseline } = report;
  assert.ok(baseline);
  const lines = renderText(report, { color: false }).trimEnd().split("\n");
  const marked = lines.filter((line) => line.includes(" [new]: "));
  const fresh = report.findings.filter((finding) => baseline.new.includes(finding.fingerprint));
  assert.equal(marked.length, 1);
  assert.ok(marked[0]?.includes(`${fresh[0]?.id} on ${fresh[0]?.target} [new]`));
  assert.equal(
    lines[1 + report.targets.length],
    "Compared with audit-before.json (2026-05-25T12:00:00.000Z): 1 new (marked new), 1 fixed, 7 unchanged",
  );
  const fixed = lineOf(lines, "Fixed since audit-before.json (1)");
  assert.equal(lines[fixed + 1], "  HIGH     logging/archive on 127.0.0.1:5432: archive_mode is off");
  assert.match(lines.at(-1) ?? "", /; since the baseline: 1 new, 1 fixed, 7 unchanged$/);
});

test("a clean report says so in each layer and in the summary; an unreachable target says why", () => {
  const full = fixtureReport();
  const clean: AuditReport = {
    ...full,
    findings: [],
    notRun: [],
    checks: full.checks.map((run) => ({ ...run, passed: true })),
    targets: [
      ...full.targets,
      { name: "10.0.0.9:5432", kind: "server", reachable: false, error: "connection refused" },
    ],
  };
  const lines = renderText(clean, { color: false }).trimEnd().split("\n");
  assert.equal(lines.filter((line) => line === "  no findings").length, 4);
  assert.ok(lines.includes("  10.0.0.9:5432: not audited: connection refused"));
  assert.ok(lines.includes("  127.0.0.1:5432: PostgreSQL 15.8, as auditor (superuser)"));
  assert.doesNotMatch(lines.join("\n"), /Checks not run/);
  assert.match(lines.at(-1) ?? "", /: no findings on 3 targets \(1 not audited\)$/);
});

test("a layer where no check ran says it was not assessed, with no score, and comes after the layers that were", () => {
  const full = fixtureReport();
  const report: AuditReport = {
    ...full,
    findings: full.findings.filter((finding) => finding.layer !== "access-control"),
    scores: {
      ...full.scores,
      layers: { ...full.scores.layers, "access-control": { score: 100, checksRun: 0, checksPassed: 0 } },
    },
  };
  const lines = renderText(report, { color: false }).split("\n");
  const headings = lines.filter((line) => LAYERS.some((layer) => line.startsWith(LAYER_TITLES[layer].title)));
  assert.equal(headings.length, 4);
  assert.equal(headings[3], "Access control  not assessed, no check ran. What can you do? What data can you access?");
  assert.ok(!lines.includes("  no findings"), "not the same as a layer that passed");
});

/** The fixture report with the fix of its first finding replaced. */
function withFix(fix: string): AuditReport {
  const report = fixtureReport();
  const [first, ...rest] = report.findings;
  assert.ok(first);
  return { ...report, findings: [{ ...first, fix }, ...rest] };
}

test("a multi-line fix is printed as its lines, continuation lines indented under the first, as psql takes it", () => {
  const fix = '\\connect "postgres"\nREVOKE CREATE ON SCHEMA "public" FROM PUBLIC;';
  const lines = renderText(withFix(fix), { color: false }).split("\n");
  const at = lineOf(lines, 'fix: \\connect "postgres"');
  assert.equal(lines[at], '           fix: \\connect "postgres"');
  assert.equal(lines[at + 1], '                REVOKE CREATE ON SCHEMA "public" FROM PUBLIC;');
  assert.ok(!lines.some((line) => line.includes("\\n")), "no newline shown as an escape");
});

test("a fix naming a role with a newline or an escape is referred to the JSON report, not printed broken", () => {
  for (const role of ["evil\nsuper", "evil\u001b[2Jsuper", "evil\rsuper"]) {
    const fix = `ALTER ROLE "${role}" NOSUPERUSER;`;
    const text = renderText(withFix(fix), { color: false });
    assert.match(text, /fix: not shown here: it names something with a control character .*; see --format json\n/);
    assert.ok(!text.includes('ALTER ROLE "evil'), `no broken statement for ${JSON.stringify(role)}`);
  }
  // A newline between statements and a quote, or a comment's apostrophe, is no reason to hide the fix.
  const fine = renderText(withFix("-- the role's rights\nALTER ROLE \"o'k\" NOSUPERUSER;"), { color: false });
  assert.match(fine, /fix: -- the role's rights\n {16}ALTER ROLE "o'k" NOSUPERUSER;\n/);
});
