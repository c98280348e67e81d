import { constants } from "node:os";
import { resolve } from "node:path";

import { Command, Option } from "commander";

import { usageError } from "../../../core/errors.js";
import { readInputFile } from "../../../core/fs/read-input.js";
import { applyHba, connectionTarget, pgdataTarget } from "../../../hba/apply.js";
import { BLOCKING_SEVERITY } from "../../../hba/apply/lint-gate.js";
import { connectSuperuser } from "../../../pg/connect.js";
import { findServerBinaries } from "../../../pg/pg-binaries.js";
import { CONN_FORMS_HELP, connectOptions, connOption } from "../../conn-url.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { keyValueLines } from "../../render.js";

interface Options {
  conn?: string;
  pgdata?: string;
  hbaFile?: string;
  pgBin?: string;
  force?: boolean;
  serverLog?: string;
}

export function hbaApplyCommand(): Command {
  const command = new Command("apply")
    .argument("<file>", "the pg_hba.conf to install (for example the output of pgwarden hba render)")
    .addOption(
      connOption(
        `a running server reached as a superuser: ${CONN_FORMS_HELP}; without --conn and --pgdata, as psql with no arguments`,
      ),
    )
    .addOption(
      new Option(
        "--pgdata <dir>",
        "a running cluster on this machine (asked over its socket as the data directory's owner)",
      ),
    )
    .addOption(new Option("--hba-file <file>", "with --pgdata: where its pg_hba.conf is (default PGDATA/pg_hba.conf)"))
    .addOption(new Option("--pg-bin <dir>", "PostgreSQL's programs (psql, pg_ctl) for --pgdata"))
    .addOption(
      new Option(
        "--force",
        `install even when the new rules would refuse pgwarden's own connection or the superuser's socket login (or pgwarden cannot tell), or lint finds ${BLOCKING_SEVERITY} (its highest severity) risks, and keep them when a fresh login of pgwarden's is refused after the reload; never overrides PostgreSQL's own refusal`,
      ),
    )
    .addOption(
      new Option(
        "--server-log <file>",
        "the server's log file, when pgwarden cannot find it (default: logging_collector's current file, else the postmaster's stderr)",
      ),
    )
    .action(async (file: string, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (options.conn !== undefined && options.pgdata !== undefined)
        throw usageError("hba-apply-target", "give one of --conn STRING or --pgdata DIR, not both");
      const text = await readInputFile(file, "rules file");
      const client =
        options.pgdata === undefined ? await connectSuperuser(options.conn, connectOptions(ctx)) : undefined;
      try {
        const conn = options.conn;
        const target = client
          ? await connectionTarget(client, () => connectSuperuser(conn, { warn: () => undefined }))
          : await pgdataTarget(
              resolve(options.pgdata as string),
              findServerBinaries(options.pgBin).dir,
              options.hbaFile,
            );
        const result = await applyHba(target, text, {
          now: ctx.now,
          force: options.force === true,
          ...(options.serverLog !== undefined ? { serverLog: resolve(options.serverLog) } : {}),
          onRecovered: (message) => ctx.output.warn(message),
          // The old file is back (synchronously) before this runs: one line, and the shell's exit code for the signal.
          onInterrupt: (signal, message) => {
            process.stderr.write(`pgwarden: ${message}\n`);
            process.exit(128 + (constants.signals[signal] ?? 0));
          },
        });
        for (const problem of result.overridden) ctx.output.warn(`installed despite --force: ${problem}`);
        if (ctx.output.format === "json") ctx.output.json(result);
        else {
          const reloaded = result.reloaded
            ? `yes, PostgreSQL loaded the new rules: ${result.confirmedBy}`
            : "no (nothing changed)";
          ctx.output.data(
            keyValueLines([
              ["rules", `${result.hbaFile} (${result.action})`],
              ["backup", result.backup],
              ["reloaded", reloaded],
            ]),
          );
        }
      } finally {
        await client?.end().catch(() => undefined);
      }
    });
  return describe(command, {
    summary: "install access rules: lockout and lint checks, backup, PostgreSQL's verdict, reload, its log read",
    description: `Install a pg_hba.conf. First, with nothing written: pgwarden's explain engine must find that the new rules let
in the connection pgwarden itself uses and the bootstrap superuser's socket login (local, database postgres), and that
each login can pass the method of its line: trust; peer or cert when the OS user or certificate CN is the role or the
line's map (pg_ident.conf, read through the server) maps it; scram-sha-256, md5, password only when the role has a stored
password of a kind the method takes (and, for pgwarden's own login, it sent a password); pam, ldap, radius, gss and the
like: pgwarden cannot tell. Lint must find nothing ${BLOCKING_SEVERITY}. Otherwise it exits 1 naming the line and why, unless
--force. A file pgwarden's parser (as the server's version) finds invalid, empty or comment-only is refused (exit 3)
before anything is written. Then the current file is backed up, a journal (.pgwarden-hba-apply.json beside it) written,
the new one written atomically with its owner and mode, and PostgreSQL's own parser judges it as a reload would. The
server reloads, and its log (logging_collector's file, the postmaster's stderr, or --server-log) must show that it loaded
the file; then pgwarden logs in again as it did, and if the server refuses it, the old rules go back (exit 1) unless
--force. Any refusal, or no such proof, puts the old file back (so a restart still starts) and exits 3 with PostgreSQL's
reason. SIGINT/SIGTERM/SIGHUP while the new file is on trial put the old one back first (exit 130/143/129); after a
kill -9 the next hba apply finds the journal and puts the old file back. Only a restart by someone else between a
kill -9 and the next hba apply can still load the unconfirmed file.`,
    examples: [
      "pgwarden hba render --inventory pigsty.yml --cluster pg-meta > hba.conf && pgwarden hba apply hba.conf --pgdata /pg/data",
      "PGPASSWORD=... pgwarden hba apply hba.conf --conn postgresql://postgres@127.0.0.1/postgres",
      "PGHOST=127.0.0.1 PGUSER=postgres pgwarden hba apply hba.conf --conn 'sslmode=verify-full sslrootcert=pki/ca/ca.crt'",
      "pgwarden hba apply lockdown.conf --pgdata /pg/data --force   # installs rules that refuse the superuser's socket login",
      "pgwarden hba apply ldap.conf --pgdata /pg/data --force   # installs rules whose ldap line pgwarden cannot try for the superuser",
    ],
  });
}
