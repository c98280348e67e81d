import { z } from "zod";

import { document } from "./common.js";
import { issuerCrlStatus } from "./crl-parts.js";

export const crlStatusShape = document(
  {
    issuers: z.array(issuerCrlStatus),
    combined: z.strictObject({
      path: z.string(),
      state: z.enum(["current", "missing", "stale", "unreadable", "none-needed"]),
      problem: z.string().optional(),
    }),
    ok: z
      .boolean()
      .describe("false when any CRL is due, expired, missing while needed, or combined.crl is stale (exit 1)"),
  },
  "pgwarden crl status: each issuer's CRL",
);
