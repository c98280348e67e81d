import { z } from "zod";

/** Ansible's `bool` filter: booleans, 1/0, and the usual words. */
const TRUE_WORDS = ["true", "yes", "on", "y", "1"];
const FALSE_WORDS = ["false", "no", "off", "n", "0", ""];

export const ansibleBool = z.union(
  [
    z.boolean(),
    z.literal([0, 1]).transform((value) => value === 1),
    z
      .string()
      .refine((value) => [...TRUE_WORDS, ...FALSE_WORDS].includes(value.toLowerCase()))
      .transform((value) => TRUE_WORDS.includes(value.toLowerCase())),
  ],
  { error: "expected a boolean (true, false, yes, no)" },
);
