import { z } from "zod";

import { document, isoTime } from "./common.js";

export const certListShape = document(
  {
    certificates: z.array(
      z.strictObject({
        serial: z.string(),
        commonName: z.string(),
        profile: z.string(),
        origin: z.enum(["issued", "signed", "found"]),
        notAfter: isoTime,
        daysLeft: z.number().int(),
        status: z.enum([
          "valid",
          "expired",
          "not-yet-valid",
          "missing",
          "replaced",
          "key-mismatch",
          "key-unreadable",
          "revoked",
        ]),
        path: z.string().describe("relative to the PKI directory"),
      }),
    ),
  },
  "pgwarden cert list: the inventory",
);
