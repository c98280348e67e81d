import { z } from "zod";

/** With --format json, an error is this one object on stderr (stdout gets no document from the failed step). */
export const errorShape = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe("stable, machine-readable: pki-missing, unknown-option, file-missing, ..."),
      message: z.string().describe("the one line the text form prints after 'pgwarden: error: '"),
      exitCode: z.number().int().describe("the process's exit code"),
      problems: z
        .array(
          z.strictObject({
            file: z.string(),
            line: z.number().int(),
            column: z.number().int().optional(),
            path: z.string().optional().describe("the inventory's dotted key path"),
            severity: z.enum(["error", "warning"]),
            message: z.string(),
            rule: z.string().optional().describe("the id of the rule it breaks (too-short, vendor-default, ...)"),
          }),
        )
        .optional()
        .describe(
          "every problem behind the error (an inventory's, a password policy's), each at its place in the user's file",
        ),
    }),
  })
  .describe("pgwarden --format json: an error, one line on stderr");
