import { z } from "zod";

import { document, sandboxState } from "./common.js";

export const sandboxDownShape = document(
  {
    state: sandboxState,
    wasRunning: z.boolean(),
    purged: z.boolean(),
    left: z.array(z.string()).describe("files --purge left because sandbox up did not make them"),
  },
  "pgwarden sandbox down",
);
