import { z } from "zod";

import { certificateInfo, document, isoTime } from "./common.js";

export const caRotateShape = document(
  {
    issuer: z.string().describe('the issuer rotated: "ca" for the root'),
    certPath: z.string(),
    keyPath: z.string(),
    keyEncrypted: z.boolean(),
    certificate: certificateInfo.describe("the new CA"),
    previous: z
      .strictObject({
        certPath: z.string().describe("where the replaced CA's certificate is kept: ca/rotated/<issuer>-<key id>.crt"),
        keyPath: z.string(),
        subject: z.string(),
        keyId: z.string().describe("its subject key identifier, hex: what ca retire takes"),
        notAfter: isoTime,
      })
      .describe("the CA it replaced, still trusted until ca retire"),
  },
  "pgwarden ca rotate: the new CA and the one it replaced",
);
