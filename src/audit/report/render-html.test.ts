import assert from "node:assert/strict";
import { test } from "node:test";

import {
  FIXTURE_CERTIFICATES,
  FIXTURE_NOW,
  fixtureReport,
  HOSTILE_ROLE,
} from "../../../test/support/audit-report-fixture.js";
import { LAYERS } from "../layer.js";
import { SOC2_CONTROLS } from "../soc2.js";
import { type AuditReport } from "./audit-report.js";
import { daysLeft, expiryBand } from "./html-certificate-timeline.js";
import { HTML_CSP, renderHtml } from "./render-html.js";

const count = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].length;

test("text from the server is escaped everywhere: a role named <script> is shown, never run", () => {
  const page = renderHtml(fixtureReport());
  assert.ok(!page.includes(HOSTILE_ROLE.slice(0, 15)), "no raw <script>alert from the data");
  assert.equal(count(page, /<script/g), 1, "the only script is the page's own filter");
  assert.equal(count(page, /<\/script>/g), 1);
  assert.ok(page.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\\x1b[2J\\u{202E}evil"));
  assert.doesNotMatch(
    page,
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/,
    "no control or bidi character is left raw",
  );
  // In the role's own fix, in evidence labels, in the certificate subject (chart and table) and in attributes.
  assert.ok(count(page, /&lt;script&gt;alert/g) >= 7);
});

test("the page is self-contained: a CSP that forbids every fetch, and no reference to anything outside it", () => {
  const page = renderHtml(fixtureReport());
  assert.ok(page.startsWith("<!doctype html>"));
  assert.ok(page.includes(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP.replace(/'/g, "&#39;")}">`));
  assert.equal(HTML_CSP.split(";")[0], "default-src 'none'");
  assert.doesNotMatch(page, /\b(?:src|href|action|srcset|poster)\s*=|url\(|@import|<link|<img|<iframe|<object|<embed/i);
});

test("filters: a checkbox per severity and per layer, and every finding carries its severity and layer", () => {
  const report = fixtureReport();
  const page = renderHtml(report);
  for (const severity of ["critical", "high", "medium", "low", "info"])
    assert.equal(
      count(page, new RegExp(`<input type="checkbox" name="severity" value="${severity}" checked>`, "g")),
      1,
    );
  for (const layer of LAYERS)
    assert.equal(count(page, new RegExp(`<input type="checkbox" name="layer" value="${layer}" checked>`, "g")), 1);
  const articles = [
    ...page.matchAll(
      /<article class="finding sev-(\w+)" data-severity="(\w+)" data-layer="([\w-]+)" data-fingerprint="(\w+)">/g,
    ),
  ];
  assert.deepEqual(
    articles.map((match) => [match[2], match[3], match[4]]),
    [...report.findings]
      .sort(
        (a, b) =>
          ["info", "low", "medium", "high", "critical"].indexOf(b.severity) -
          ["info", "low", "medium", "high", "critical"].indexOf(a.severity),
      )
      .map((finding) => [finding.severity, finding.layer, finding.fingerprint]),
    "one card per finding, worst first",
  );
  assert.match(
    page,
    /<form class="filters" id="filters" hidden>/,
    "hidden until the script runs: without it all findings show",
  );
});

test("each finding shows its evidence with file:line and its fix", () => {
  const page = renderHtml(fixtureReport());
  assert.ok(
    page.includes(
      '<dt>setting ssl</dt><dd><span class="mono">off</span><span class="where mono">/var/lib/postgresql/15/main/postgresql.conf:12</span></dd>',
    ),
  );
  assert.ok(
    page.includes(
      "<pre><code>ALTER SYSTEM SET password_encryption = &#39;scram-sha-256&#39;; SELECT pg_reload_conf();</code></pre>",
    ),
  );
  assert.ok(page.includes('<dt>written at</dt><dd class="mono">pg_hba.conf:4</dd>'));
});

test("the score per layer, the SOC 2 table with a row per control, and the checks not run with their grants", () => {
  const report = fixtureReport();
  const page = renderHtml(report);
  for (const layer of LAYERS)
    assert.match(
      page,
      new RegExp(
        `data-layer="${layer}">\\n<h3>[^<]+</h3>\\n<div class="score">${report.scores.layers[layer].score}<small>`,
      ),
    );
  assert.match(page, new RegExp(`aria-label="overall score ${report.scores.overall.score} of 100"`));
  for (const row of report.soc2)
    assert.match(
      page,
      new RegExp(
        `<tr data-control="${row.control}">.*<span class="status status-${row.status.replace(/ /g, "-")}">${row.status}</span></td><td>${row.basis}</td>`,
      ),
    );
  assert.equal(count(page, /<tr data-control=/g), SOC2_CONTROLS.length);
  assert.ok(page.includes("<code>GRANT pg_read_server_files TO auditor</code>"));
});

test("the expiry chart is inline SVG with one mark per certificate, coloured by days left, and a now line", () => {
  const page = renderHtml(fixtureReport());
  const marks = [...page.matchAll(/<g class="cert (\w+)" data-days-left="(-?\d+)" data-band="(\w+)"/g)];
  assert.equal(marks.length, FIXTURE_CERTIFICATES.length);
  const expected = FIXTURE_CERTIFICATES.map((certificate) => daysLeft(certificate, FIXTURE_NOW)).sort((a, b) => a - b);
  assert.deepEqual(
    marks.map((mark) => Number(mark[2])),
    expected,
    "sorted by expiry",
  );
  assert.deepEqual(
    marks.map((mark) => mark[1]),
    ["expired", "urgent", "soon", "ok"],
  );
  assert.deepEqual(expected, [-5, 10, 60, 3000]);
  assert.equal(count(page, /<svg class="timeline"/g), 1);
  assert.match(page, /<g class="now"><line x1="[\d.]+"[^>]*><\/line><text[^>]*>now 2026-06-01<\/text><\/g>/);
  assert.equal(count(page, /class="cert-arrow"/g), 1, "the certificate beyond the axis ends in an arrow");
  assert.equal(count(page, /class="cert-expiry"/g), 3);
});

test("expiry bands: expired below 0 days, urgent to 30, soon to 90, ok beyond", () => {
  assert.deepEqual([-1, 0, 30, 31, 90, 91].map(expiryBand), ["expired", "urgent", "urgent", "soon", "soon", "ok"]);
});

test("with a baseline the new finding is badged and the fixed are listed; with no certificate there is no chart", () => {
  const report = fixtureReport({ baseline: true });
  const page = renderHtml(report);
  assert.equal(count(page, /<span class="badge-new">new<\/span>/g), 1);
  const newCard = page.slice(page.indexOf(`data-fingerprint="${report.baseline?.new[0]}"`));
  assert.ok(newCard.indexOf("badge-new") < newCard.indexOf("</article>"));
  assert.match(page, /<h2 id="fixed-title">Fixed since the baseline \(1\)<\/h2>/);
  assert.ok(page.includes("<td>archive_mode is off</td>"));
  const bare: AuditReport = { ...fixtureReport(), certificates: [], findings: [] };
  const plain = renderHtml(bare);
  assert.doesNotMatch(plain, /<svg class="timeline"/);
  assert.ok(plain.includes("No certificate was seen during this audit."));
  assert.ok(plain.includes("No findings: every check that ran passed."));
});

test("a layer where no check ran shows no score but says it was not assessed", () => {
  const full = fixtureReport();
  const page = renderHtml({
    ...full,
    scores: { ...full.scores, layers: { ...full.scores.layers, data: { score: 100, checksRun: 0, checksPassed: 0 } } },
  });
  assert.match(
    page,
    /<div class="layer unassessed" data-layer="data">\n<h3>Data security<\/h3>\n<div class="score unassessed">—<\/div>/,
  );
  assert.ok(page.includes("not assessed: no check ran"));
});
