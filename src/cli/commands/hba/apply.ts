import { resolve } from "node:path";
import { Command, Option } from "commander";
import { usageError } from "../../../errors.js";
import { readInputFile } from "../../../fs/read-input.js";
import { applyHba, connectionTarget, pgdataTarget } from "../../../hba/apply.js";
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
}

export function hbaApplyCommand(): Command {
  const command = new Command("apply")
    .argument("<file>", "the pg_hba.conf to install (for example the output of pgwarden hba render)")
    .addOption(connOption("a running server reached as a superuser (password from PGPASSWORD or ~/.pgpass)"))
    .addOption(new Option("--pgdata <dir>", "a running cluster on this machine (asked over its socket as the data directory's owner)"))
    .addOption(new Option("--hba-file <file>", "with --pgdata: where its pg_hba.conf is (default PGDATA/pg_hba.conf)"))
    .addOption(new Option("--pg-bin <dir>", "PostgreSQL's programs (psql, pg_ctl) for --pgdata"))
    .action(async (file: string, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      if ((options.conn === undefined) === (options.pgdata === undefined)) throw usageError("hba-apply-target", "give exactly one of --conn URL or --pgdata DIR");
      const text = await readInputFile(file, "rules file");
      const client = options.conn ? await connectSuperuser(options.conn) : undefined;
      try {
        const target = client ? await connectionTarget(client) : await pgdataTarget(resolve(options.pgdata as string), findServerBinaries(options.pgBin).dir, options.hbaFile);
        const result = await applyHba(target, text, ctx.now);
        if (ctx.output.format === "json") ctx.output.json(result);
        else ctx.output.data(keyValueLines([["rules", `${result.hbaFile} (${result.action})`], ["backup", result.backup], ["reloaded", result.reloaded ? "yes, PostgreSQL accepted every line" : "no (nothing changed)"]]));
      } finally {
        await client?.end().catch(() => undefined);
      }
    });
  return describe(command, {
    summary: "install access rules: backup, PostgreSQL's verdict first, reload",
    description: `Install a pg_hba.conf: the current file is backed up, the new one written atomically with its owner and mode,
and PostgreSQL's own parser (pg_hba_file_rules) judges it before anything is reloaded. Any error puts the old file
back and fails with PostgreSQL's message; otherwise the server reloads.`,
    examples: ["pgwarden hba render --inventory pigsty.yml --cluster pg-meta > hba.conf && pgwarden hba apply hba.conf --pgdata /pg/data", "PGPASSWORD=... pgwarden hba apply hba.conf --conn postgresql://postgres@127.0.0.1/postgres"],
  });
}
