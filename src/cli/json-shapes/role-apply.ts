import { z } from "zod";

import { document, roleChange } from "./common.js";

export const roleApplyShape = document(
  { cluster: z.string(), database: z.string(), applied: z.number().int(), changes: z.array(roleChange) },
  "pgwarden role apply",
);
