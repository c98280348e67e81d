import assert from "node:assert/strict";
import { test } from "node:test";

import { parseHbaText } from "../parse/index.js";
import { groupBySourceRule } from "./group-findings.js";
import { lintRules } from "./run-lint.js";

const INTRA = [
  "host all app 10.0.0.0/8 md5",
  "host all app 192.168.0.0/16 md5",
  "host all app 172.16.0.0/12 md5",
  "host all app 203.0.113.0/24 md5",
].join("\n");

test("the lines one source rule renders give one finding per check, at the first line, naming every address; other rules stay apart", async () => {
  const { rules } = await parseHbaText(INTRA, "x.pg_hba.conf");
  const findings = lintRules(rules, { superusers: ["postgres"] }).findings;
  // Lines 1-3 are one inventory rule (intra); line 4 another.
  const grouped = groupBySourceRule(findings, rules, (source) =>
    source.line <= 3 ? "inventory.yml:12" : "inventory.yml:13",
  );
  const tls = grouped.filter((finding) => finding.id === "password-without-tls");
  assert.deepEqual(
    tls.map((finding) => [
      finding.source.line,
      finding.message,
      (finding.alsoAt ?? []).map((other) => other.source.line),
    ]),
    [
      [1, "md5 from 10.0.0.0/8, 192.168.0.0/16, 172.16.0.0/12 without requiring TLS", [2, 3]],
      [4, "md5 from 203.0.113.0/24 without requiring TLS", []],
    ],
  );
  assert.equal(tls[1]?.alsoAt, undefined, "a rule of one line is not a group");
  // Messages that differ by more than the address are joined, still one finding.
  const wide = grouped.filter((finding) => finding.id === "wide-address");
  assert.deepEqual(
    wide.map((finding) => finding.message),
    ["10.0.0.0/8 spans 24 host bits; 172.16.0.0/12 spans 20 host bits"],
  );
});

test("without a source rule (a pg_hba.conf's own lines) nothing is grouped", async () => {
  const { rules } = await parseHbaText(INTRA, "pg_hba.conf");
  const findings = lintRules(rules, { superusers: ["postgres"] }).findings;
  assert.deepEqual(
    groupBySourceRule(findings, rules, () => undefined),
    findings,
  );
});
