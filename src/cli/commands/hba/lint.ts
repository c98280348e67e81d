import { readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { ExitCode } from "../../../errors.js";
import { readIdentMapNames } from "../../../hba/ident-maps.js";
import { failsAt, type Finding, type Severity } from "../../../hba/lint/finding.js";
import type { LintContext } from "../../../hba/lint/lint-rule.js";
import { PARSE_ERROR, parseErrorFindings } from "../../../hba/lint/parse-error.js";
import { LINT_CHECKS } from "../../../hba/lint/rules/index.js";
import { DEFAULT_SUPERUSERS, lintRules } from "../../../hba/lint/run-lint.js";
import { sarifResult, toSarif } from "../../../hba/lint/sarif.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { failOnOption } from "../../flags.js";
import { describe } from "../../help.js";
import { jsonChunks } from "./json-chunks.js";
import { lintTextChunks } from "./lint-text.js";
import { majorVersionFlag, pgVersionOption } from "./pg-version.js";
import { renamedFlag } from "./renamed-flag.js";
import { addSourceOptions, loadHbaSource, type SourceOptions } from "./source.js";

interface Options extends SourceOptions {
  identFile?: string;
  serverSsl?: "on" | "off";
  /** The old spelling of --server-ssl, refused. */
  ssl?: unknown;
  superuser?: string[];
  failOn: Severity;
  format?: "text" | "json" | "sarif";
  pgVersion?: string;
}

/** The package's version, for the SARIF tool record (this file runs from dist/src/cli/commands/hba/). */
async function pgwardenVersion(): Promise<string> {
  const text = await readFile(new URL("../../../../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

/** --ssl meant the server's setting here and the client's TLS in explain: now each has its own name. */
const OLD_SSL = renamedFlag("--ssl [on|off]", "ssl", "--server-ssl on|off for the server's ssl setting (hba explain's --tls is the client's TLS)");

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** What lint knows beyond the rules: defaults, then what the source says, then the flags. */
async function lintContext(learned: Partial<LintContext>, options: Options): Promise<LintContext> {
  const identMaps = options.identFile !== undefined ? await readIdentMapNames(options.identFile) : learned.identMaps;
  const ssl = options.serverSsl !== undefined ? options.serverSsl === "on" : learned.ssl;
  return {
    superusers: options.superuser ?? learned.superusers ?? [...DEFAULT_SUPERUSERS],
    ...(learned.superuserMemberOf === undefined ? {} : { superuserMemberOf: learned.superuserMemberOf }),
    ...(ssl === undefined ? {} : { ssl }),
    ...(identMaps === undefined ? {} : { identMaps }),
  };
}

export function hbaLintCommand(): Command {
  const command = new Command("lint")
    .argument("[file]", "a pg_hba.conf (its include directives and @file lists are read too)")
    .action(async (file: string | undefined, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      OLD_SSL.refuse(options.ssl);
      const majorVersion = majorVersionFlag(options.pgVersion);
      const source = await loadHbaSource(file, options, { lintContext: true, ...(majorVersion !== undefined ? { majorVersion } : {}) });
      for (const warning of source.warnings) ctx.output.warn(warning);
      const context = await lintContext(source.context, options);
      const result = lintRules(source.file.rules, context);
      // Parse errors first: PostgreSQL refuses the whole file for any one of them.
      const findings: Finding[] = [...parseErrorFindings(source.file, file ?? source.label), ...result.findings];
      const format = options.format ?? ctx.output.format;
      // Written piece by piece: a file of millions of rules has millions of findings, too many for one string.
      let pieces: Iterable<string>;
      if (format === "sarif") {
        const log = toSarif([], [...LINT_CHECKS, PARSE_ERROR], await pgwardenVersion()) as { runs: object[] };
        pieces = jsonChunks(findings, (results) => ({ ...log, runs: [{ ...log.runs[0], results }] }), sarifResult);
      } else if (format === "json") {
        pieces = jsonChunks(findings, (all) => ({ source: source.label, rulesChecked: result.rulesChecked, failOn: options.failOn, context, findings: all }));
      } else pieces = lintTextChunks(`${source.label}: `, findings, result.rulesChecked);
      // JSON and SARIF pieces keep JSON's own escapes; text is escaped for a terminal.
      const write = format === "text" ? (piece: string) => ctx.output.data(piece) : (piece: string) => ctx.output.jsonPiece(piece);
      for (const piece of pieces) write(piece);
      if (failsAt(findings, options.failOn)) throw new ExitSignal(ExitCode.checkFailed);
    });
  addSourceOptions(command)
    .addOption(new Option("--ident-file <file>", "with FILE: its pg_ident.conf, so map= options can be checked"))
    .addOption(new Option("--server-ssl <on|off>", "with FILE: the server's ssl setting (hostssl rules are dead while it is off); was --ssl").choices(["on", "off"]))
    .addOption(OLD_SSL.option)
    .addOption(new Option("--superuser <role>", "a superuser role (repeatable; default: the server's with --conn, an inventory's pg_dbsu, pg_admin_username and superuser roles, else postgres)").argParser(collect))
    .addOption(pgVersionOption())
    .addOption(failOnOption())
    .addOption(new Option("--format <format>", "text, json (one document) or sarif (SARIF 2.1.0, for code scanning)").choices(["text", "json", "sarif"]));
  return describe(command, {
    summary: "check access rules: what is risky, what is dead, how to fix it",
    description: `Check access rules from a pg_hba.conf (as --pg-version reads it), a running server (--conn: its pg_hba.conf read
with pg_read_file and parsed as its version does, else pg_hba_file_rules; with its superusers, ssl setting and
pg_ident.conf maps) or an inventory (--inventory: the rendered rules, each finding at the
inventory line of its rule). Each finding has an id, a severity, the file:line, why it matters and the fix. Lines
PostgreSQL cannot read are findings too (parse-error, high). Exits 1 when a finding reaches --fail-on (default high).`,
    examples: [
      "pgwarden hba lint /etc/postgresql/16/main/pg_hba.conf --server-ssl on --ident-file /etc/postgresql/16/main/pg_ident.conf",
      "PGPASSWORD=... pgwarden hba lint --conn postgresql://postgres@10.10.10.10/postgres --fail-on critical",
      "pgwarden hba lint --inventory pigsty.yml --cluster pg-meta --instance pg-meta-1 --format sarif > hba.sarif",
      "pgwarden hba lint /etc/postgresql/15/main/pg_hba.conf --pg-version 15",
    ],
  });
}
