import { z } from "zod";

import { document, fileMode, isoTime } from "./common.js";

export const certExportShape = document(
  {
    dir: z.string(),
    files: z.array(z.strictObject({ path: z.string(), mode: fileMode, backup: z.string().optional() })),
    libpq: z.string(),
    psql: z.string(),
    nodePostgres: z
      .string()
      .optional()
      .describe("absent when the database name cannot travel in a URL node-postgres reads"),
    psycopg: z.string(),
    jdbc: z.string().optional().describe("only with --key-format pk8"),
    crl: z
      .strictObject({ path: z.string(), nextUpdate: isoTime.optional() })
      .optional()
      .describe("the CRL shipped as root.crl (absent with --no-crl or without one): refresh it before nextUpdate"),
  },
  "pgwarden cert export: the bundle's files with their modes, and connection strings",
);
