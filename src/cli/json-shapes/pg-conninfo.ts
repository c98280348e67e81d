import { z } from "zod";

import { document } from "./common.js";

export const pgConninfoShape = document(
  {
    database: z.string(),
    user: z.string().describe("current_user, as the server says"),
    host: z.string().describe("the host name, address or socket directory connected to"),
    address: z.string().nullable().describe("the address a host name resolved to"),
    socket: z.boolean(),
    port: z.number().int(),
    sslmode: z.enum(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]),
    ssl: z.boolean().describe("whether this session is encrypted (pg_stat_ssl)"),
    protocol: z.string().nullable(),
    cipher: z.string().nullable(),
    serverCertificate: z
      .strictObject({
        verified: z.enum(["chain and host name", "chain", "no"]),
        rootCertificate: z.string().nullable().describe("the sslrootcert it was verified against"),
        subject: z.string().nullable(),
      })
      .nullable(),
    clientCertificate: z.strictObject({ file: z.string(), dn: z.string().nullable() }).nullable(),
    passwordFrom: z
      .string()
      .nullable()
      .describe("where the password came from (never the password): PGPASSWORD, a passfile, a service"),
    retriedAfter: z.string().nullable().describe("why the first attempt failed when sslmode allow/prefer tried again"),
    settingsFrom: z.record(z.string(), z.string()).describe("each connection keyword and where its value came from"),
  },
  "pgwarden pg conninfo: how the connection was made, as psql's \\conninfo and more",
);
