import { z } from "zod";

import { document } from "./common.js";
import { writtenCrl } from "./crl-parts.js";

export const crlWriteShape = z
  .union([
    document(
      {
        crls: z.array(writtenCrl),
        combinedPath: z.string().describe("crl/combined.crl, relative to the PKI directory: the file servers install"),
      },
      "the CRLs written",
    ),
    document(
      {
        timer: z.strictObject({
          serviceName: z.string(),
          service: z.string().describe("the systemd service unit's text"),
          timerName: z.string(),
          timer: z.string().describe("the systemd timer unit's text"),
        }),
      },
      "with --print-timer: the systemd units, nothing written",
    ),
  ])
  .describe("pgwarden crl (write): every issuer's CRL and the combined file");
