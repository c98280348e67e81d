import { z } from "zod";

import { document, isoTime } from "./common.js";

export const pgSessionsShape = document(
  {
    sessions: z.array(
      z.strictObject({
        pid: z.number().int(),
        user: z.string().nullable(),
        database: z.string().nullable(),
        clientAddress: z.string().nullable(),
        tlsVersion: z.string().nullable(),
        clientDn: z.string().nullable(),
        clientSerial: z.string().nullable().describe("lower-case hex"),
        issuerDn: z.string().nullable(),
        backendStart: isoTime.nullable(),
        own: z.boolean().describe("pgwarden's own connection"),
        revoked: z.strictObject({ reason: z.string(), revokedAt: isoTime }).nullable(),
        terminated: z.boolean().optional(),
      }),
    ),
  },
  "pgwarden pg sessions: open TLS sessions and the revocation of their client certificates",
);
