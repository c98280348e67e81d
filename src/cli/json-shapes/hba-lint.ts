import { z } from "zod";
import { document, lintFinding, severity } from "./common.js";

export const hbaLintShape = document(
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
    findings: z.array(lintFinding),
  },
  "pgwarden hba lint --format json (--format sarif writes SARIF 2.1.0 instead)",
);
