import { z } from "zod";

import { certificateInfo, document, isoTime } from "./common.js";
import { issuerCrlStatus } from "./crl-parts.js";

const keyState = z.enum(["missing", "present, encrypted", "present, not encrypted"]);

export const caShowShape = document(
  {
    certPath: z.string(),
    keyPath: z.string(),
    key: keyState,
    certificate: certificateInfo,
    issuers: z
      .array(
        z.strictObject({
          name: z.string(),
          kind: z.enum(["root", "intermediate"]),
          rotated: z.boolean().describe("a CA ca rotate replaced: it signs CRLs only, trusted until ca retire"),
          certPath: z.string(),
          keyPath: z.string(),
          key: keyState,
          certificate: certificateInfo,
          crl: issuerCrlStatus,
        }),
      )
      .describe("every CA of the PKI: the root first, then the intermediates, then the rotated CAs not yet retired"),
    soonestExpiry: z.strictObject({ issuer: z.string(), notAfter: isoTime, daysLeft: z.number().int() }),
  },
  "pgwarden ca show: the root CA (its fields at the top, as before) and every CA with its CRL",
);
