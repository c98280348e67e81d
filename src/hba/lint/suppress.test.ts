import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { parseHbaText } from "../parse/index.js";
import { baselineDocument, parseBaseline } from "./baseline.js";
import { findingFingerprint } from "./fingerprint.js";
import { ignoreDirectiveFor } from "./inline-ignore.js";
import { LINT_CHECKS } from "./rules/index.js";
import { lintRules } from "./run-lint.js";
import { applySuppressions } from "./suppress.js";

const IDS = new Set(LINT_CHECKS.map((check) => check.id));

async function lint(text: string) {
  const { rules } = await parseHbaText(text, "pg_hba.conf");
  return { findings: lintRules(rules, { superusers: ["postgres"] }).findings, lines: text.split("\n") };
}

test("# pgwarden:ignore on the rule's line or alone on the line above; not two lines above, not after a rule", () => {
  const lines = [
    "# pgwarden:ignore md5-deprecated,wide-address legacy ERP, until 2027",
    "host all app 10.0.0.0/8 md5",
    "host all app 10.1.0.0/16 md5  # pgwarden:ignore md5-deprecated",
    "host all app 10.2.0.0/16 md5",
    "# pgwarden:ignore md5-deprecated",
    "",
    "host all app 10.3.0.0/16 md5",
  ];
  assert.deepEqual(ignoreDirectiveFor(lines, 2), {
    ids: ["md5-deprecated", "wide-address"],
    reason: "legacy ERP, until 2027",
  });
  assert.deepEqual(ignoreDirectiveFor(lines, 3), { ids: ["md5-deprecated"] });
  assert.equal(ignoreDirectiveFor(lines, 4), undefined, "the line above is a rule, its comment is its own");
  assert.equal(ignoreDirectiveFor(lines, 7), undefined, "a blank line between breaks the link");
});

test("--ignore, inline comments and the baseline each accept findings, and say which; the rest count", async () => {
  const text = [
    "host all app 10.0.0.0/8 md5 # pgwarden:ignore md5-deprecated old driver",
    "host all app 203.0.113.0/24 md5",
    "host all app 198.51.100.0/24 trust",
  ].join("\n");
  const { findings, lines } = await lint(text);
  const baselined = findings.find((finding) => finding.id === "password-without-tls" && finding.source.line === 2);
  assert.ok(baselined);
  const result = applySuppressions(
    findings,
    {
      ignore: new Set(["wide-address"]),
      linesOf: () => lines,
      baseline: [{ id: baselined.id, fingerprint: findingFingerprint(baselined) }],
    },
    IDS,
  );
  const by = (kind: string) =>
    result.suppressed
      .filter((finding) => finding.suppressedBy === kind)
      .map((finding) => `${finding.source.line}:${finding.id}`);
  assert.deepEqual(by("ignore"), ["1:wide-address"]);
  assert.deepEqual(by("inline"), ["1:md5-deprecated"]);
  assert.equal(result.suppressed.find((finding) => finding.suppressedBy === "inline")?.reason, "old driver");
  assert.deepEqual(by("baseline"), ["2:password-without-tls"]);
  assert.ok(
    result.findings.some((finding) => finding.id === "trust-from-network"),
    "what nobody accepted still counts",
  );
  assert.ok(
    result.findings.some((finding) => finding.source.line === 1 && finding.id === "password-without-tls"),
    "a comment accepts only the checks it names",
  );
  assert.deepEqual(result.staleBaseline, []);
});

test("a baseline matches by check and rule text, not line: moved rules stay accepted; each entry accepts one finding; leftovers are stale", async () => {
  const before = await lint(["host all app 203.0.113.0/24 md5", "host all app 203.0.113.0/24 md5"].join("\n"));
  const baseline = parseBaseline(
    JSON.stringify(baselineDocument(before.findings.filter((finding) => finding.source.line === 1))),
    "b.json",
  );
  const moved = await lint(
    ["# a comment moves everything down", "local all postgres peer", "host   all  app   203.0.113.0/24   md5"].join(
      "\n",
    ),
  );
  const result = applySuppressions(moved.findings, { baseline }, IDS);
  assert.equal(result.findings.length, 0, result.findings.map((finding) => finding.id).join(" "));
  assert.equal(result.suppressed.length, baseline.length);
  // The second identical rule had no entry of its own: it counts.
  const twice = await lint(["host all app 203.0.113.0/24 md5", "host all app 203.0.113.0/24 md5"].join("\n"));
  const again = applySuppressions(twice.findings, { baseline }, IDS);
  assert.ok(again.findings.every((finding) => finding.source.line === 2) && again.findings.length > 0);
  const fixed = applySuppressions(
    (await lint("hostssl all app 203.0.113.0/24 scram-sha-256")).findings,
    { baseline },
    IDS,
  );
  assert.deepEqual(fixed.staleBaseline.map((entry) => entry.id).sort(), ["md5-deprecated", "password-without-tls"]);
});

test("an inline comment naming no check is reported, once per place", async () => {
  const { findings, lines } = await lint("host all app 203.0.113.0/24 md5 # pgwarden:ignore md5-deprected");
  const result = applySuppressions(findings, { linesOf: () => lines }, IDS);
  assert.deepEqual(
    result.unknownInline.map((item) => `${item.source.line}:${item.id}`),
    ["1:md5-deprected"],
  );
});

test("a bare pgwarden:ignore (no check named) suppresses nothing and is reported; pgwarden:ignored is no marker", async () => {
  const { findings, lines } = await lint("host all app 203.0.113.0/24 md5 # pgwarden:ignore");
  const result = applySuppressions(findings, { linesOf: () => lines }, IDS);
  assert.equal(result.suppressed.length, 0);
  assert.deepEqual(
    result.unknownInline.map((item) => `${item.source.line}:${item.id}`),
    ["1:"],
  );
  const other = await lint("host all app 203.0.113.0/24 md5 # pgwarden:ignored md5-deprecated");
  const none = applySuppressions(other.findings, { linesOf: () => other.lines }, IDS);
  assert.deepEqual([none.suppressed.length, none.unknownInline.length], [0, 0]);
});

test("a baseline file: ours, or a --format json report (fingerprint computed from id and rule); anything else is exit 2", () => {
  const finding = { id: "md5-deprecated", rule: "host all app 10.0.0.0/8   md5", message: "m" };
  assert.deepEqual(parseBaseline(JSON.stringify({ source: "x", findings: [finding] }), "r.json"), [
    { id: "md5-deprecated", fingerprint: findingFingerprint(finding), message: "m" },
  ]);
  assert.equal(
    findingFingerprint(finding),
    findingFingerprint({ ...finding, rule: "host all app 10.0.0.0/8 md5" }),
    "whitespace does not count",
  );
  assert.notEqual(findingFingerprint(finding), findingFingerprint({ ...finding, id: "wide-address" }));
  for (const text of ["not json", "{}", '{"findings":[{"rule":"x"}]}', '{"findings":[{"id":"x"}]}']) {
    assert.throws(
      () => parseBaseline(text, "bad.json"),
      (error: unknown) =>
        error instanceof PgwardenError && error.exitCode === 2 && /bad\.json: not a baseline/.test(error.message),
    );
  }
});
