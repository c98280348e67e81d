import { z } from "zod";

import { ERROR_SHAPE, JSON_SHAPES } from "./index.js";

/** The schemas/ file of a command: `cert issue` -> `cert-issue.schema.json`. */
export function schemaFileName(command: string): string {
  return `${command.replace(/ /g, "-")}.schema.json`;
}

/** Every file of schemas/ with its text: one JSON Schema (draft 2020-12) per command, and the error's. */
export function schemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const add = (name: string, title: string, shape: z.ZodType) => {
    const schema = { title, ...z.toJSONSchema(shape, { target: "draft-2020-12" }) };
    files.set(name, `${JSON.stringify(schema, null, 2)}\n`);
  };
  for (const [command, shape] of Object.entries(JSON_SHAPES))
    add(schemaFileName(command), `pgwarden ${command} --format json`, shape);
  add("error.schema.json", "pgwarden error with --format json (stderr)", ERROR_SHAPE);
  return files;
}
