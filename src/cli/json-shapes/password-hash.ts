import { z } from "zod";

import { document } from "./common.js";

export const passwordHashShape = document(
  { method: z.enum(["scram-sha-256", "md5"]), role: z.string().nullable(), verifier: z.string() },
  "pgwarden password hash",
);
