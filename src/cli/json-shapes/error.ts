import { z } from "zod";

/** With --format json, an error is this one object on stderr (stdout gets no document from the failed step). */
export const errorShape = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe("stable, machine-readable: pki-missing, unknown-option, file-missing, ..."),
      message: z.string().describe("the one line the text form prints after 'pgwarden: error: '"),
      exitCode: z.number().int().describe("the process's exit code"),
    }),
  })
  .describe("pgwarden --format json: an error, one line on stderr");
