import { z } from "zod";

import { document } from "./common.js";

export const caRetireShape = document(
  {
    issuerName: z.string().describe('"ca" for a root, else the intermediate\'s name'),
    subject: z.string(),
    keyId: z.string(),
    certPath: z.string().describe("where its certificate went: ca/retired/"),
    keyPath: z.string(),
    combinedCrlPath: z.string().optional().describe("crl/combined.crl, rewritten without its CRL, when there is one"),
  },
  "pgwarden ca retire: the CA that left every trust bundle, and where its files went",
);
