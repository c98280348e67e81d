import { z } from "zod";

import { document, isoTime } from "./common.js";

export const certRenewShape = document(
  {
    renewed: z.array(
      z.strictObject({
        renews: z.string().describe("the serial of the certificate replaced"),
        serial: z.string(),
        commonName: z.string(),
        profile: z.string(),
        group: z.string(),
        issuerName: z.string(),
        notBefore: isoTime,
        notAfter: isoTime,
        fingerprintSha256: z.string(),
        certPath: z.string(),
        keyPath: z.string().nullable(),
        rekeyed: z.boolean(),
      }),
    ),
    skipped: z.array(
      z.strictObject({ serial: z.string(), commonName: z.string(), certPath: z.string(), reason: z.string() }),
    ),
    revokedOld: z.array(z.string()).describe("serials of the old certificates revoked (--revoke-old)"),
    crlRegenerated: z.boolean(),
  },
  "pgwarden cert renew: the certificates renewed and those left as they were",
);
