import { z } from "zod";

import { document, isoTime } from "./common.js";

export const certNeedsRenewalShape = document(
  {
    due: z.boolean(),
    serial: z.string(),
    subject: z.string(),
    source: z.string().describe("the file read, or the recorded certificate's path relative to the PKI"),
    notBefore: isoTime,
    notAfter: isoTime,
    remainingSeconds: z.number().int().describe("negative once expired"),
    thresholdSeconds: z.number().int(),
    reason: z.string(),
  },
  "pgwarden cert needs-renewal: whether the certificate is due for renewal (also the exit code: 0 due, 1 not)",
);
