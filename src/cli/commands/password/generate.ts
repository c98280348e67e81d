import { Command, Option } from "commander";

import {
  DEFAULT_GENERATED_LENGTH,
  generatePassword,
  MAX_GENERATED_LENGTH,
  MIN_GENERATED_LENGTH,
} from "../../../roles/generate-password.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { integerFlag } from "../../number-flags.js";

export function passwordGenerateCommand(): Command {
  const command = new Command("generate")
    .addOption(
      new Option(
        "--length <n>",
        `characters (default ${DEFAULT_GENERATED_LENGTH}, at least ${MIN_GENERATED_LENGTH}, at most ${MAX_GENERATED_LENGTH})`,
      ).argParser(
        integerFlag({ flag: "--length", min: MIN_GENERATED_LENGTH, max: MAX_GENERATED_LENGTH, code: "bad-length" }),
      ),
    )
    .action((options: { length?: number }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const length = options.length ?? DEFAULT_GENERATED_LENGTH;
      const password = generatePassword({ length });
      if (ctx.output.format === "json") ctx.output.json({ password, length });
      else ctx.output.data(password);
    });
  return describe(command, {
    summary: "print a strong random password",
    description: `Print a random password on stdout: letters, digits and - . _ ~ (nothing to quote or escape in a
postgresql:// URL, a keyword=value connection string, .pgpass or YAML), drawn with crypto.randomInt, with every
character class and passing the password policy. 24 characters (about 145 bits) unless --length; fewer than 12 are
refused.`,
    examples: [
      "pgwarden password generate",
      "pgwarden password generate --length 32 | pgwarden password hash --user dbuser_app",
    ],
  });
}
