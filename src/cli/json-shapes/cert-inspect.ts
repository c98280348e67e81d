import { z } from "zod";

import { certificateInfo, document } from "./common.js";

export const certInspectShape = document(
  {
    file: z.string(),
    certificates: z.array(certificateInfo).describe("every certificate of the file, in order, one or more"),
  },
  "pgwarden cert inspect: the certificates of a PEM file",
);
