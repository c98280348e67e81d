import { z } from "zod";

import { document } from "./common.js";

export const trustInstallShape = document(
  {
    plan: z.strictObject({
      os: z.enum(["debian", "el"]),
      caPath: z.string(),
      anchorPath: z.string(),
      updateCommand: z.array(z.string()),
    }),
    updated: z.boolean().describe("whether the trust bundle was rebuilt"),
  },
  "pgwarden trust install: where the CA went",
);
