import { z } from "zod";

import { document, isoTime, severity, sourceLocation } from "./common.js";

const layer = z.enum(["network", "authentication", "access-control", "data"]);
const control = z.enum(["CC6.1", "CC6.6", "CC6.7", "CC7.2", "CC9.1", "A1.2"]);
/** A score of the audit: overall or one layer's. */
export const auditScore = z.strictObject({
  score: z.number().int().describe("0 to 100: the weighted share of the checks run that found nothing"),
  checksRun: z.number().int(),
  checksPassed: z.number().int(),
});

/** The audit's scores: overall and per layer. */
export const auditScores = z.strictObject({
  overall: auditScore,
  layers: z.strictObject({
    network: auditScore,
    authentication: auditScore,
    "access-control": auditScore,
    data: auditScore,
  }),
});

export const auditFinding = z.strictObject({
  id: z.string().describe("the check's id (family/name), or the hba lint rule's for a lint finding"),
  title: z.string(),
  severity,
  layer,
  soc2: z.array(control),
  cis: z.string().optional().describe("the CIS PostgreSQL benchmark section"),
  target: z.string(),
  subject: z.string().describe("what on the target the finding is about: a role, a rule, a database"),
  message: z.string(),
  why: z.string(),
  fix: z.string().describe("SQL, a configuration line, or the pgwarden command that fixes it"),
  evidence: z.array(z.strictObject({ label: z.string(), value: z.string(), source: sourceLocation.optional() })),
  source: sourceLocation.optional(),
  fingerprint: z.string().describe("stable across runs: what --baseline matches"),
});

export const auditShape = document(
  {
    tool: z.literal("pgwarden"),
    version: z.string(),
    generatedAt: isoTime,
    targets: z.array(
      z.strictObject({
        name: z.string(),
        kind: z.enum(["server", "inventory"]),
        reachable: z.boolean(),
        error: z.string().optional(),
        serverVersion: z.string().optional(),
        user: z.string().optional(),
        superuser: z.boolean().optional(),
        cluster: z.string().optional(),
      }),
    ),
    findings: z.array(auditFinding),
    checks: z.array(z.strictObject({ check: z.string(), target: z.string(), layer, severity, passed: z.boolean() })),
    notRun: z.array(
      z.strictObject({
        check: z.string(),
        title: z.string(),
        target: z.string(),
        layer,
        reason: z.string(),
        grant: z.string().optional(),
      }),
    ),
    scores: auditScores,
    soc2: z.array(
      z.strictObject({
        control,
        title: z.string(),
        status: z.enum(["met", "partly met", "not met", "not assessed"]),
        basis: z.string(),
        findings: z.array(z.string()),
      }),
    ),
    certificates: z.array(
      z.strictObject({
        target: z.string(),
        seenAt: z.string(),
        subject: z.string(),
        serial: z.string(),
        notBefore: isoTime,
        notAfter: isoTime,
      }),
    ),
    failOn: severity.describe("the --fail-on threshold: exit 1 when a finding (with --baseline, a new one) reaches it"),
    baseline: z
      .strictObject({
        file: z.string(),
        generatedAt: isoTime,
        new: z.array(z.string()),
        unchanged: z.array(z.string()),
        fixed: z.array(auditFinding),
      })
      .optional(),
  },
  "pgwarden audit --format json: the whole audit (--format sarif writes SARIF 2.1.0 instead)",
);
