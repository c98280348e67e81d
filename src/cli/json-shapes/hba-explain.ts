import { z } from "zod";

import { document, hbaRuleRef } from "./common.js";

const access = z.enum(["allowed", "refused", "unknown"]);
const outcome = { access, demands: z.string(), reason: z.string().optional(), serverMessage: z.string().optional() };

const oneConnection = document(
  {
    source: z.string(),
    connection: z.strictObject({
      user: z.string(),
      database: z.string(),
      address: z.string(),
      ssl: z.boolean(),
      gssenc: z.boolean().optional(),
      memberOf: z.array(z.string()).optional(),
      replication: z.boolean().optional(),
      certificate: z
        .strictObject({ commonName: z.string() })
        .optional()
        .describe("the client certificate presented, by its CN"),
    }),
    verdict: access,
    reason: z.string(),
    serverMessage: z.string().optional(),
    first: hbaRuleRef.extend(outcome).nullable().describe("the first line that surely matches"),
    undecided: z.array(hbaRuleRef.extend({ unknown: z.string(), ...outcome })).describe("earlier lines that may match"),
    later: z.array(hbaRuleRef),
  },
  "one connection",
);

const cell = z.strictObject({
  verdict: access,
  method: z.string().optional(),
  line: z.number().int().optional(),
  undecided: z.boolean(),
  reason: z.string(),
});

const matrix = document(
  {
    cluster: z.string(),
    instance: z.strictObject({ host: z.string(), name: z.string().optional() }).optional(),
    file: z.string(),
    roles: z.array(z.strictObject({ name: z.string(), kinds: z.array(z.string()), memberOf: z.array(z.string()) })),
    networks: z.array(z.strictObject({ labels: z.array(z.string()), address: z.string() })),
    rows: z.array(
      z.strictObject({
        role: z.string(),
        database: z.string(),
        replication: z.boolean(),
        network: z.string(),
        address: z.string(),
        plain: cell,
        tls: cell.optional(),
      }),
    ),
  },
  "--matrix: every role by every network",
);

export const hbaExplainShape = z
  .union([oneConnection, matrix])
  .describe("pgwarden hba explain: one connection, or with --matrix every role by every network");
