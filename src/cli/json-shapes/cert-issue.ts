import { z } from "zod";
import { document, issuedCertificate } from "./common.js";

export const certIssueShape = document(
  {
    issued: z.array(issuedCertificate).describe("the certificates made by this run (one for --cn)"),
    skipped: z.array(issuedCertificate).describe("--cn-file names already issued and intact, left as they were"),
  },
  "pgwarden cert issue: always both lists, whether --cn or --cn-file",
);
