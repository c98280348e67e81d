import { z } from "zod";

import { certificateInfo, document } from "./common.js";

export const caShowShape = document(
  {
    certPath: z.string(),
    keyPath: z.string(),
    key: z.enum(["missing", "present, encrypted", "present, not encrypted"]),
    certificate: certificateInfo,
  },
  "pgwarden ca show: the root CA",
);
