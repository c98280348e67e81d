import { constants } from "node:os";
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { usageError } from "../../../errors.js";
import { readInputFile } from "../../../fs/read-input.js";
import { applyHba, connectionTarget, pgdataTarget } from "../../../hba/apply.js";
import { BLOCKING_SEVERITY } from "../../../hba/apply/lint-gate.js";
import { findServerBinaries } from "../../../pg/pg-binaries.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { keyValueLines } from "../../render.js";
import { connectSuperuser } from "../../../pg/connect.js";
import { connOption } from "../../conn-url.js";

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
    .addOption(connOption("a running server reached as a superuser (password from PGPASSWORD or ~/.pgpass)"))
    .addOption(new Option("--pgdata <dir>", "a running cluster on this machine (asked over its socket as the data directory's owner)"))
    .addOption(new Option("--hba-file <file>", "with --pgdata: where its pg_hba.conf is (default PGDATA/pg_hba.conf)"))
    .addOption(new Option("--pg-bin <dir>", "PostgreSQL's programs (psql, pg_ctl) for --pgdata"))
    .addOption(
      new Option(
        "--force",
        `install even when the new rules would refuse pgwarden's own connection or the superuser's socket login (or pgwarden cannot tell), or lint finds ${BLOCKING_SEVERITY} (its highest severity) risks; never overrides PostgreSQL's own refusal`,
      ),
    )
    .addOption(new Option("--server-log <file>", "the server's log file, when pgwarden cannot find it (default: logging_collector's current file, else the postmaster's stderr)"))
    .action(async (file: string, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      if ((options.conn === undefined) === (options.pgdata === undefined)) throw usageError("hba-apply-target", "give exactly one of --conn URL or --pgdata DIR");
      const text = await readInputFile(file, "rules file");
      const client = options.conn ? await connectSuperuser(options.conn) : undefined;
      try {
        const conn = options.conn;
        const target = client && conn !== undefined ? await connectionTarget(client, () => connectSuperuser(conn)) : await pgdataTarget(resolve(options.pgdata as string), findServerBinaries(options.pgBin).dir, options.hbaFile);
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
          const reloaded = result.reloaded ? `yes, PostgreSQL loaded the new rules: ${result.confirmedBy}` : "no (nothing changed)";
          ctx.output.data(keyValueLines([["rules", `${result.hbaFile} (${result.action})`], ["backup", result.backup], ["reloaded", reloaded]]));
        }
      } finally {
        await client?.end().catch(() => undefined);
      }
    });
  return describe(command, {
    summary: "install access rules: lockout and lint checks, backup, PostgreSQL's verdict, reload, its log read",
    description: `Install a pg_hba.conf. First, with nothing written: pgwarden's explain engine must find that the new rules let
in the connection pgwarden itself uses and the bootstrap superuser's socket login (local, database postgres), and lint
must find nothing ${BLOCKING_SEVERITY}; otherwise it exits 1 naming the line (or saying no line matches, or why it cannot tell),
unless --force. Then the current file is backed up, the new one written atomically with its owner and mode, and
PostgreSQL's own parser judges it as a reload would (pg_hba_file_rules, plus what only a reload refuses: an empty or
comment-only file, a bad option such as clientname=XY). The server reloads, and its log (logging_collector's file, the
postmaster's stderr, or --server-log) must show that it loaded the file. Any refusal, or no such proof, puts the old file
back (so a restart still starts) and exits 3 with PostgreSQL's reason.`,
    examples: [
      "pgwarden hba render --inventory pigsty.yml --cluster pg-meta > hba.conf && pgwarden hba apply hba.conf --pgdata /pg/data",
      "PGPASSWORD=... pgwarden hba apply hba.conf --conn postgresql://postgres@127.0.0.1/postgres",
      "pgwarden hba apply lockdown.conf --pgdata /pg/data --force   # installs rules that refuse the superuser's socket login",
    ],
  });
}
