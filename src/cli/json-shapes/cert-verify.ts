import { z } from "zod";

import { document } from "./common.js";

export const certVerifyShape = document(
  {
    file: z.string(),
    ok: z.boolean(),
    checks: z.array(
      z.strictObject({ name: z.string(), ok: z.boolean(), detail: z.string(), skipped: z.boolean().optional() }),
    ),
    reason: z.string().optional().describe("the first failed check's detail, when not ok"),
    openssl: z.strictObject({ error: z.number().int(), depth: z.number().int(), text: z.string() }).optional(),
    chain: z.array(z.string()).describe("subjects of the path found, leaf first"),
    ca: z.string(),
    crls: z.array(z.string()),
    key: z.string().nullable(),
  },
  "pgwarden cert verify: the verdict (exit 1 when ok is false) and each check",
);
