import { z } from "zod";

import { certificateInfo, document } from "./common.js";

export const caInitShape = document(
  {
    action: z.enum(["created", "reissued", "adopted"]),
    certPath: z.string(),
    keyPath: z.string(),
    keyEncrypted: z.boolean(),
    certificate: certificateInfo,
    restoredFrom: z.string().optional().describe("where a re-made ca.crt took its issuer name from"),
  },
  "pgwarden ca init: the CA created, adopted or given a new ca.crt",
);
