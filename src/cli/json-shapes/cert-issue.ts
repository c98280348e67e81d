import { z } from "zod";

import { document, issuedCertificate } from "./common.js";

const oneOrFromFile = document(
  {
    issued: z.array(issuedCertificate).describe("the certificates made by this run (one for --cn)"),
    skipped: z.array(issuedCertificate).describe("--cn-file names already issued and intact, left as they were"),
  },
  "--cn or --cn-file: always both lists",
);

const fleetCertificate = z.strictObject({
  action: z.enum(["keep", "issue", "reissue"]),
  kind: z
    .enum(["pgsql", "etcd"])
    .describe("pgsql: the server certificate PostgreSQL, pgbouncer and Patroni present; etcd: a member's peer pair"),
  host: z.string().describe("the inventory's host (its address)"),
  cluster: z.string(),
  commonName: z.string(),
  subjectAltNames: z.array(z.string()).describe('as "DNS:name" or "IP:address"'),
  profile: z.enum(["server", "client", "peer"]),
  keyType: z.string(),
  certPath: z.string(),
  keyPath: z.string(),
  sharedKey: z.boolean().describe("true for a PostgreSQL cluster's one key, pgsql/<cluster>.key"),
  reason: z.string().nullable().describe("why it is issued or re-issued; null when kept"),
  foreign: z
    .string()
    .nullable()
    .describe("why the certificate there is not one pgwarden made (refused without --force)"),
  serial: z.string().nullable().describe("the new certificate's serial; null when kept or in a dry run"),
  backups: z.array(z.string()).describe("the .bak copies of what was replaced"),
});

const fleet = document(
  {
    dryRun: z.boolean(),
    certificates: z.array(fleetCertificate),
    clusterKeys: z.array(
      z.strictObject({ keyPath: z.string(), action: z.enum(["keep", "create"]), keyType: z.string() }),
    ),
  },
  "--inventory: the fleet's plan, and what this run did about it",
);

export const certIssueShape = z
  .union([oneOrFromFile, fleet])
  .describe("pgwarden cert issue: --cn/--cn-file, or --inventory (the fleet)");
