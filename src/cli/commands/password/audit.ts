import { Command, Option } from "commander";

import { ExitCode } from "../../../core/errors.js";
import { failsAt, type Severity } from "../../../core/finding.js";
import { readInputFile } from "../../../core/fs/read-input.js";
import { auditPasswords } from "../../../roles/audit/audit-passwords.js";
import { parseWordlist } from "../../../roles/audit/candidates/wordlist.js";
import { readStoredRoles } from "../../../roles/audit/read-stored-roles.js";
import { CONN_FORMS_HELP, connOption, withConnection } from "../../conn-url.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { failOnOption } from "../../flags.js";
import { describe } from "../../help.js";
import { progressBar } from "../../progress.js";
import { auditText } from "./audit-text.js";

/** A search this long (about ten seconds per core at 4096 iterations) shows progress on stderr. */
const PROGRESS_MIN_GUESSES = 20_000;

interface Options {
  conn?: string;
  wordlist?: string;
  show?: boolean;
  failOn: Severity;
}

export function passwordAuditCommand(): Command {
  const command = new Command("audit")
    .addOption(
      connOption(`a server reached as a superuser: ${CONN_FORMS_HELP}; without --conn, as psql with no arguments`),
    )
    .addOption(
      new Option("--wordlist <file>", "more guesses, one password per line (UTF-8), tried after the built-in ones"),
    )
    .addOption(new Option("--show", "print the passwords found (default: only that one was found, and of what kind)"))
    .addOption(failOnOption())
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const wordlist =
        options.wordlist === undefined ? [] : parseWordlist(await readInputFile(options.wordlist, "wordlist"));
      const roles = await withConnection(options.conn, readStoredRoles, ctx);
      let progress: ((done: number, total: number) => void) | undefined;
      const report = await auditPasswords(roles, {
        now: ctx.now,
        wordlist,
        revealPasswords: options.show ?? false,
        onProgress: (done, total) => {
          if (total < PROGRESS_MIN_GUESSES) return;
          progress ??= progressBar(ctx.output, "guesses");
          progress(done, total);
        },
      });
      if (ctx.output.format === "json") ctx.output.json({ failOn: options.failOn, ...report });
      else ctx.output.data(auditText(report));
      if (failsAt(report.findings, options.failOn)) throw new ExitSignal(ExitCode.checkFailed);
    });
  return describe(command, {
    summary: "find weak, default and outdated passwords in a server's pg_authid, offline",
    description: `Read every role's stored secret from pg_authid (needs a superuser) and try, offline and on every core,
the role's name and its variants, vendor defaults (Pigsty's DBUser.DBA, DBUser.Monitor, Patroni.API, pigsty, ...),
a built-in list of common passwords and --wordlist against each SCRAM verifier and md5 secret. Also reports md5
secrets, SCRAM verifiers under 4096 iterations, login roles without a password, and passwords past or without
VALID UNTIL. A found password is never printed unless --show. Exits 1 when a finding reaches --fail-on (default high).
The text report gives each role its findings, one line each (severity, check, what is wrong), then what each kind
of finding means and how to fix it, once for all the roles it was found on; --format json keeps why and fix on
every finding (with the role's own fix where it names the role).`,
    examples: [
      "PGPASSWORD=... pgwarden password audit --conn postgresql://postgres@10.10.10.10/postgres",
      "pgwarden password audit --conn postgresql://postgres@127.0.0.1/postgres --wordlist rockyou.txt --fail-on critical",
      "pgwarden password audit --conn postgresql://postgres@127.0.0.1/postgres --format json > password-audit.json",
      "pgwarden password audit --conn 'host=10.10.10.10 user=postgres sslmode=verify-full sslrootcert=pki/ca/ca.crt'",
    ],
  });
}
