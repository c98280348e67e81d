import { z } from "zod";

import { document } from "./common.js";

export const caRetireShape = document(
  {
    subject: z.string(),
    keyId: z.string().describe("the retired CA's subject key identifier, hex"),
    certPath: z.string().describe("where its certificate now is: ca/retired/"),
    keyPath: z.string(),
  },
  "pgwarden ca retire: the CA no trust bundle holds any more",
);
