import { z } from "zod";

import { auditScores } from "./audit.js";
import { certificateInfo, document, hbaApplied, hbaRuleRef, lintFinding, sandboxState, sessionTls } from "./common.js";

export const quickstartShape = document(
  {
    dir: z.string(),
    pki: z.string(),
    ca: z.strictObject({ action: z.enum(["created", "reissued", "adopted"]), certificate: certificateInfo }),
    sandbox: z.strictObject({
      action: z.enum(["created", "started", "running"]),
      state: sandboxState,
      serverCertificate: z.string(),
    }),
    inventory: z.strictObject({ path: z.string(), action: z.enum(["written", "kept"]), passwordFile: z.string() }),
    hba: z.strictObject({
      name: z.string(),
      rules: z.array(hbaRuleRef),
      findings: z.array(lintFinding),
      applied: hbaApplied,
    }),
    roles: z.strictObject({
      changes: z.array(
        z.strictObject({ kind: z.string(), role: z.string().optional(), summary: z.string(), sql: z.string() }),
      ),
    }),
    role: z.strictObject({ name: z.string(), action: z.enum(["created", "exists"]) }),
    client: z.strictObject({
      action: z.enum(["issued", "kept"]),
      certPath: z.string(),
      keyPath: z.string(),
      certificate: certificateInfo,
    }),
    session: sessionTls,
    psql: z.string(),
    app: z
      .strictObject({ user: z.string(), passwordFrom: z.string(), session: sessionTls, rule: hbaRuleRef.nullable() })
      .nullable(),
    audit: z
      .strictObject({
        html: z.string().describe("the HTML report of the sandbox's audit (0600)"),
        scores: auditScores,
        findings: z.strictObject({
          critical: z.number().int(),
          high: z.number().int(),
          medium: z.number().int(),
          low: z.number().int(),
          info: z.number().int(),
        }),
        notRun: z.number().int().describe("checks that could not run"),
      })
      .describe("the audit of the sandbox quickstart ends with (pgwarden audit --pgdata)"),
  },
  "pgwarden quickstart",
);
