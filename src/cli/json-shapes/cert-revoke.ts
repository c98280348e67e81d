import { z } from "zod";

import { document, isoTime } from "./common.js";
import { writtenCrl } from "./crl-parts.js";

export const certRevokeShape = document(
  {
    serial: z.string(),
    commonName: z.string(),
    group: z.string(),
    issuer: z.string(),
    revokedAt: isoTime,
    reason: z.enum(["unspecified", "keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation"]),
    alreadyRevoked: z.boolean().describe("the certificate was revoked before: that revocation stands"),
    alsoRevoked: z
      .array(z.string())
      .describe("serials of the other certificates of its renewal chain revoked with it (--cn, or keyCompromise)"),
    stillValid: z.array(z.string()).describe("serials of other certificates of its renewal chain left valid"),
    crls: z.array(writtenCrl).describe("the CRLs written (none when an earlier revocation's CRL already lists it)"),
    combinedPath: z.string().nullable(),
  },
  "pgwarden cert revoke: the certificate taken back and the CRLs written",
);
