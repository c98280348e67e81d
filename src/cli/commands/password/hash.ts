import { Command, Option } from "commander";

import { usageError } from "../../../core/errors.js";
import { quoteIdentifier } from "../../../core/identifier.js";
import { knownPasswordDenylist } from "../../../roles/audit/candidates/known-password-denylist.js";
import { md5Secret } from "../../../roles/md5.js";
import { passwordViolations } from "../../../roles/password-policy.js";
import { DEFAULT_SCRAM_ITERATIONS, MAX_SCRAM_ITERATIONS, scramVerifier } from "../../../roles/scram.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { integerFlag } from "../../number-flags.js";
import { readPasswordFromStdin } from "./read-password.js";

interface Options {
  user?: string;
  method: "scram-sha-256" | "md5";
  scramIterations?: number;
}

export function passwordHashCommand(): Command {
  const command = new Command("hash")
    .addOption(
      new Option(
        "--user <role>",
        "the role the password is for: checked against the policy with its name, and md5's salt",
      ),
    )
    .addOption(
      new Option("--method <method>", "scram-sha-256, or md5 for old clients only (needs --user)")
        .choices(["scram-sha-256", "md5"])
        .default("scram-sha-256"),
    )
    .addOption(
      new Option(
        "--scram-iterations <n>",
        `PBKDF2 iterations of the verifier (default ${DEFAULT_SCRAM_ITERATIONS})`,
      ).argParser(
        integerFlag({ flag: "--scram-iterations", min: 1, max: MAX_SCRAM_ITERATIONS, code: "bad-iterations" }),
      ),
    )
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const iterations = options.scramIterations ?? DEFAULT_SCRAM_ITERATIONS;
      if (options.method === "md5" && options.user === undefined)
        throw usageError("md5-needs-user", "--method md5 needs --user: the role name is md5's salt");
      if (options.method === "md5" && options.scramIterations !== undefined)
        throw usageError("md5-iterations", "--scram-iterations applies to scram-sha-256 only");
      if (options.user !== undefined) quoteIdentifier(options.user);
      const password = await readPasswordFromStdin();
      const warnings = passwordViolations(password, options.user ?? "", { denylist: knownPasswordDenylist() }).map(
        (violation) => `the password ${violation.message}`,
      );
      if (iterations < DEFAULT_SCRAM_ITERATIONS && options.method === "scram-sha-256")
        warnings.push(
          `${iterations} iterations is fewer than PostgreSQL's default of ${DEFAULT_SCRAM_ITERATIONS}: the audit reports it`,
        );
      if (options.method === "md5")
        warnings.push(
          "md5 secrets are password-equivalent and deprecated: use scram-sha-256 unless an old client needs md5",
        );
      const verifier =
        options.method === "md5"
          ? md5Secret(password, options.user as string)
          : scramVerifier(password, { iterations });
      for (const warning of warnings) ctx.output.warn(warning);
      if (ctx.output.format === "json") {
        ctx.output.json({ method: options.method, role: options.user ?? null, verifier });
        return;
      }
      ctx.output.data(verifier);
    });
  return describe(command, {
    summary: "turn a password read from stdin into the verifier PostgreSQL stores",
    description: `Read one password from stdin (never from the command line: on a terminal it is asked twice without echo;
from a pipe, one trailing newline is removed) and print the secret PostgreSQL would store for it: a SCRAM-SHA-256
verifier (SASLprep, a random 16-byte salt, 4096 iterations unless --scram-iterations) or, with --method md5 and --user,
an md5 secret. Use it in CREATE or ALTER ROLE ... PASSWORD '<verifier>': the plaintext never reaches the server or its
logs. Policy problems (passwordcheck's rules, the role name with --user, known default and common passwords) are
warned about on stderr.`,
    examples: [
      "pgwarden password generate | tee /dev/stderr | pgwarden password hash --user dbuser_app",
      "pgwarden password hash --user dbuser_app < app-password.txt",
      "pgwarden password hash --user legacy_app --method md5 < legacy-password.txt",
    ],
  });
}
