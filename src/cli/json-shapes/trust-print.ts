import { z } from "zod";

import { document } from "./common.js";

export const trustPrintShape = document(
  {
    os: z.enum(["debian", "el"]),
    caPath: z.string(),
    anchorPath: z.string(),
    updateCommand: z.array(z.string()),
    script: z.string(),
  },
  "pgwarden trust print: the plan and the shell script",
);
