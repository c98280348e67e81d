import { z } from "zod";

import { document, sandboxState, tlsProbe } from "./common.js";

export const sandboxStatusShape = document(
  { state: sandboxState, running: z.boolean(), probe: tlsProbe.nullable(), healthy: z.boolean() },
  "pgwarden sandbox status (exit 1 when healthy is false)",
);
