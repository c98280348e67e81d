import { z } from "zod";

import { intermediateMade } from "./ca-intermediate-create.js";
import { certificateInfo, document } from "./common.js";

export const caInitShape = document(
  {
    action: z.enum(["created", "reissued", "adopted"]),
    certPath: z.string(),
    keyPath: z.string(),
    keyEncrypted: z.boolean(),
    certificate: certificateInfo,
    restoredFrom: z.string().optional().describe("where a re-made ca.crt took its issuer name from"),
    intermediates: z
      .array(intermediateMade)
      .optional()
      .describe("--intermediates: the intermediates made (not those kept)"),
  },
  "pgwarden ca init: the CA created, adopted or given a new ca.crt",
);
