import { z } from "zod";

import { certificateInfo, document, isoTime } from "./common.js";

export const caRotateShape = document(
  {
    issuer: z.string().describe('"ca" for the root, else the intermediate rotated with --intermediate'),
    certPath: z.string(),
    keyPath: z.string(),
    keyEncrypted: z.boolean(),
    certificate: certificateInfo,
    previous: z
      .strictObject({
        certPath: z.string().describe("ca/rotated/<issuer>-<key id 16>.crt: still trusted until ca retire"),
        keyPath: z.string(),
        subject: z.string(),
        keyId: z.string(),
        notAfter: isoTime,
      })
      .describe("the CA replaced"),
  },
  "pgwarden ca rotate: the new CA, and where the one it replaced is kept",
);
