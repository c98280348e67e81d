import { z } from "zod";

import { document, roleChange } from "./common.js";

export const rolePlanShape = document(
  { cluster: z.string(), database: z.string(), changes: z.array(roleChange) },
  "pgwarden role plan",
);
