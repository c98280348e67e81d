import { z } from "zod";

import { certificateInfo, document } from "./common.js";

/** One intermediate made by `ca intermediate create` (or `ca init --intermediates`). */
export const intermediateMade = z.strictObject({
  name: z.string().describe('the issuer name: "server", "client", ...'),
  certPath: z.string(),
  keyPath: z.string(),
  anchorPath: z
    .string()
    .describe("ca/<name>-ca.anchor.crt: the self-signed twin servers trust for this issuer's client certificates"),
  keyEncrypted: z.boolean(),
  permitted: z
    .strictObject({ dns: z.array(z.string()), ip: z.array(z.string()) })
    .describe("name constraints (permitted subtrees)"),
  backups: z.array(z.string()).describe("old files kept by --force"),
  certificate: certificateInfo,
});

export const caIntermediateCreateShape = document(
  intermediateMade.shape,
  "pgwarden ca intermediate create: the issuing CA made under the root",
);
