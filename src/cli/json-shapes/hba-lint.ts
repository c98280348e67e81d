import { z } from "zod";

import { document, lintFinding, severity, sourceLocation } from "./common.js";

/** A finding as hba lint reports it: with the fingerprint --baseline matches, and the other lines of a grouped rule. */
const reported = lintFinding.extend({
  fingerprint: z.string().describe("what --baseline matches: a hash of the rule's text, not its line"),
  alsoAt: z
    .array(z.strictObject({ source: sourceLocation, rule: z.string() }))
    .optional()
    .describe("the other lines one inventory rule rendered (intra's CIDRs): one finding for them all"),
});

const report = document(
  {
    source: z.string(),
    rulesChecked: z.number().int(),
    failOn: severity,
    context: z.strictObject({
      superusers: z.array(z.string()),
      superuserMemberOf: z.record(z.string(), z.array(z.string())).optional(),
      ssl: z.boolean().optional(),
      identMaps: z.array(z.string()).optional(),
    }),
    findings: z.array(reported),
    suppressed: z
      .array(reported.extend({ suppressedBy: z.enum(["ignore", "inline", "baseline"]), reason: z.string().optional() }))
      .describe("findings --ignore, a pgwarden:ignore comment or --baseline accepted: not counted for --fail-on"),
    staleBaseline: z
      .array(
        z.strictObject({
          id: z.string(),
          fingerprint: z.string(),
          source: sourceLocation.optional(),
          message: z.string().optional(),
        }),
      )
      .describe("--baseline entries that match no finding any more"),
  },
  "the findings (--format sarif writes SARIF 2.1.0 instead)",
);

const checks = document(
  { checks: z.array(z.strictObject({ id: z.string(), severity, title: z.string() })) },
  "--list-checks: every check's id, severity and title",
);

export const hbaLintShape = z
  .union([report, checks])
  .describe("pgwarden hba lint --format json: the findings, or with --list-checks the checks");
