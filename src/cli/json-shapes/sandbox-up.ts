import { z } from "zod";

import { document, sandboxState, served } from "./common.js";

export const sandboxUpShape = document(
  {
    state: sandboxState,
    action: z.enum(["created", "started", "running"]),
    serverCertificate: z.strictObject({ certPath: z.string(), action: z.enum(["issued", "kept", "reissued"]) }),
    served,
  },
  "pgwarden sandbox up",
);
