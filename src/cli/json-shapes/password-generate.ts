import { z } from "zod";

import { document } from "./common.js";

export const passwordGenerateShape = document(
  { password: z.string(), length: z.number().int() },
  "pgwarden password generate",
);
