import { z } from "zod";

import { document, sourceLocation } from "./common.js";

export const hbaRenderShape = document(
  {
    target: z.enum(["pg", "pgbouncer"]),
    cluster: z.string(),
    instance: z.strictObject({ host: z.string(), name: z.string().optional() }).nullable(),
    pgRole: z.string().nullable(),
    rules: z.array(
      z.strictObject({
        line: z.string().describe("the rule as PostgreSQL reads it; an inactive rule is written with # before it"),
        title: z.string().nullable(),
        active: z.boolean(),
        role: z.string(),
        order: z.number(),
        fileLine: z.number().int().describe("1-based line of the rule in text"),
        source: sourceLocation.nullable().describe("where the rule is written in the inventory"),
      }),
    ),
    text: z.string().describe("the rendered file"),
  },
  "pgwarden hba render",
);
