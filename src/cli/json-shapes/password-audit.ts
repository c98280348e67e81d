import { z } from "zod";

import { document, severity } from "./common.js";

export const passwordAuditShape = document(
  {
    failOn: severity,
    roles: z.array(
      z.strictObject({
        name: z.string(),
        login: z.boolean(),
        superuser: z.boolean(),
        secret: z.enum(["none", "scram", "md5", "unknown"]),
        iterations: z.number().int().optional(),
        validUntil: z.string().nullable(),
      }),
    ),
    rolesAudited: z.number().int(),
    secretsTested: z.number().int(),
    sharedGuesses: z.number().int(),
    guessesTried: z.number().int(),
    findings: z.array(
      z.strictObject({
        id: z.string(),
        severity,
        role: z.string(),
        message: z.string(),
        why: z.string(),
        fix: z.string(),
        password: z.string().optional().describe("only with --show"),
      }),
    ),
  },
  "pgwarden password audit (exit 1 when a finding reaches failOn)",
);
