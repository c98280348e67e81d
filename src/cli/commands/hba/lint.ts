import { readFile } from "node:fs/promises";

import { Command, Option } from "commander";

import { ExitCode } from "../../../core/errors.js";
import { escapeText } from "../../../core/escape-text.js";
import type { Finding, Severity } from "../../../core/finding.js";
import { ALL_CHECKS } from "../../../hba/lint/known-checks.js";
import { lintSource } from "../../../hba/lint/lint-source.js";
import { sarifResult, toSarif } from "../../../hba/lint/sarif.js";
import type { SuppressedFinding } from "../../../hba/lint/suppress.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { colourSeverities, useColour } from "../../finding-text.js";
import { failOnOption } from "../../flags.js";
import { describe } from "../../help.js";
import { jsonChunks } from "./json-chunks.js";
import { inlineReader, readBaseline, writeBaseline } from "./lint-suppression-files.js";
import { lintSummary, lintTextChunks, withFingerprint } from "./lint-text.js";
import { pgVersionOption } from "./pg-version.js";
import { renamedFlag } from "./renamed-flag.js";
import { addSourceOptions, loadHbaSource, type SourceOptions } from "./source.js";

interface Options extends SourceOptions {
  identFile?: string;
  serverSsl?: "on" | "off";
  /** The old spelling of --server-ssl, refused. */
  ssl?: unknown;
  superuser?: string[];
  failOn: Severity;
  format?: "text" | "compact" | "json" | "sarif";
  pgVersion?: number;
  ignore?: string[];
  baseline?: string;
  writeBaseline?: string;
  /** False with --no-color. */
  color: boolean;
  listChecks?: boolean;
}

/** --list-checks: every check's id, severity and title. */
function listChecks(format: string): { json?: object; text?: string } {
  const checks = ALL_CHECKS.map((check) => ({ id: check.id, severity: check.severity, title: check.title }));
  if (format === "json") return { json: { checks } };
  const width = Math.max(...checks.map((check) => check.id.length));
  return {
    text: checks.map((check) => `${check.id.padEnd(width)}  ${check.severity.padEnd(8)}  ${check.title}`).join("\n"),
  };
}

/** The package's version, for the SARIF tool record (this file runs from dist/src/cli/commands/hba/). */
async function pgwardenVersion(): Promise<string> {
  const text = await readFile(new URL("../../../../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

/** --ssl meant the server's setting here and the client's TLS in explain: now each has its own name. */
const OLD_SSL = renamedFlag(
  "--ssl [on|off]",
  "ssl",
  "--server-ssl on|off for the server's ssl setting (hba explain's --tls is the client's TLS)",
);

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function hbaLintCommand(): Command {
  const command = new Command("lint")
    .argument("[file]", "a pg_hba.conf (its include directives and @file lists are read too)")
    .action(async (file: string | undefined, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      OLD_SSL.refuse(options.ssl);
      const format = options.format ?? ctx.output.format;
      if (options.listChecks) {
        const listed = listChecks(format);
        if (listed.json) ctx.output.json(listed.json);
        else ctx.output.data(listed.text ?? "");
        return;
      }
      const linted = await lintSource(
        {
          ...(file !== undefined ? { fileArgument: file } : {}),
          ...(options.ignore !== undefined ? { ignore: options.ignore } : {}),
          ...(options.baseline !== undefined ? { baseline: options.baseline } : {}),
          ...(options.writeBaseline !== undefined ? { writeBaseline: options.writeBaseline } : {}),
          ...(options.superuser !== undefined ? { superusers: options.superuser } : {}),
          ...(options.serverSsl !== undefined ? { ssl: options.serverSsl === "on" } : {}),
          ...(options.identFile !== undefined ? { identFile: options.identFile } : {}),
          failOn: options.failOn,
        },
        {
          load: async () => {
            const majorVersion = options.pgVersion;
            const loaded = await loadHbaSource(file, options, {
              lintContext: true,
              connection: ctx,
              ...(majorVersion !== undefined ? { majorVersion } : {}),
            });
            for (const warning of loaded.warnings) ctx.output.warn(warning);
            return loaded;
          },
          readBaseline,
          writeBaseline,
          linesOf: (loaded) => inlineReader(loaded, file),
          onWarning: (message) => ctx.output.warn(message),
          onInfo: (message) => ctx.output.info(message),
        },
      );
      const { source, context, rulesChecked, findings, suppressed, staleBaseline } = linted;
      // Written piece by piece: a file of millions of rules has millions of findings, too many for one string.
      let pieces: Iterable<string>;
      if (format === "sarif") {
        const log = toSarif([], ALL_CHECKS, await pgwardenVersion()) as { runs: object[] };
        const results: { finding: Finding; suppressedBy?: SuppressedFinding["suppressedBy"] }[] = [
          ...findings.map((finding) => ({ finding })),
          ...suppressed.map((finding) => ({ finding, suppressedBy: finding.suppressedBy })),
        ];
        pieces = jsonChunks(
          results,
          (items) => ({ ...log, runs: [{ ...log.runs[0], results: items }] }),
          (item) => sarifResult(item.finding, item.suppressedBy),
        );
      } else if (format === "json") {
        // Added for CI: fingerprint (what --baseline matches), alsoAt (grouped lines), suppressed and staleBaseline.
        const { warnings } = ctx.output;
        pieces = jsonChunks(
          findings,
          (items) => ({
            source: source.label,
            rulesChecked: rulesChecked,
            failOn: options.failOn,
            context,
            findings: items,
            suppressed: suppressed.map(withFingerprint),
            staleBaseline,
            warnings,
          }),
          withFingerprint,
        );
      } else
        pieces = lintTextChunks(`${source.label}: `, findings, rulesChecked, {
          compact: format === "compact",
          suppressed,
          staleBaseline,
        });
      const text = format === "text" || format === "compact";
      const colour = text && useColour(process.stdout, process.env, !options.color);
      // JSON and SARIF pieces keep JSON's own escapes; text is escaped for a terminal (then coloured: the only escapes).
      const write = !text
        ? (piece: string) => ctx.output.jsonPiece(piece)
        : colour
          ? (piece: string) => process.stdout.write(colourSeverities(escapeText(piece, "\n\t")))
          : (piece: string) => ctx.output.data(piece);
      for (const piece of pieces) write(piece);
      if (format === "compact")
        ctx.output.info(`${source.label}: ${lintSummary(findings, rulesChecked, { suppressed, staleBaseline })}`);
      if (linted.fails) throw new ExitSignal(ExitCode.checkFailed);
    });
  addSourceOptions(command)
    .addOption(new Option("--ident-file <file>", "with FILE: its pg_ident.conf, so map= options can be checked"))
    .addOption(
      new Option(
        "--server-ssl <on|off>",
        "with FILE: the server's ssl setting (hostssl rules are dead while it is off); was --ssl",
      ).choices(["on", "off"]),
    )
    .addOption(OLD_SSL.option)
    .addOption(
      new Option(
        "--superuser <role>",
        "a superuser role (repeatable; default: the server's with --conn, an inventory's pg_dbsu, pg_admin_username and superuser roles, else postgres)",
      ).argParser(collect),
    )
    .addOption(pgVersionOption())
    .addOption(failOnOption())
    .addOption(
      new Option(
        "--format <format>",
        "text, compact (file:line: severity id: message, one line each), json (one document) or sarif (SARIF 2.1.0)",
      ).choices(["text", "compact", "json", "sarif"]),
    )
    .addOption(
      new Option("--ignore <id>", "do not report this check (repeatable; see --list-checks)").argParser(collect),
    )
    .addOption(
      new Option(
        "--baseline <file>",
        "accepted findings (from --write-baseline or --format json): not counted for --fail-on; new ones are",
      ),
    )
    .addOption(
      new Option(
        "--write-baseline <file>",
        "accept every finding reported now: write them to FILE (check id + fingerprint of the rule's text, not line numbers)",
      ),
    )
    .addOption(new Option("--no-color", "no colour (colour is used only on a terminal, and never with NO_COLOR set)"))
    .addOption(
      new Option(
        "--list-checks",
        "print every check's id, severity and title (text or --format json), and nothing else",
      ),
    );
  return describe(command, {
    summary: "check access rules: what is risky, what is dead, how to fix it",
    description: `Check access rules from a pg_hba.conf (as --pg-version reads it), a running server (--conn: its pg_hba.conf read
with pg_read_file and parsed as its version does, else pg_hba_file_rules; with its superusers, ssl setting and
pg_ident.conf maps) or an inventory (--inventory: the rendered rules, each finding at the
inventory line of its rule). Each finding has an id, a severity, the file:line, why it matters and the fix. Lines
PostgreSQL cannot read are findings too (parse-error, high). Exits 1 when a finding reaches --fail-on (default high).
Why a check matters is said once, at its first finding. With --inventory, the lines one rule renders (intra is three
CIDRs) give one finding per check, naming every address. --server-ssl is the server's ssl setting (it was --ssl).

Accepting findings, as linters do: --ignore ID drops a check everywhere; a comment "# pgwarden:ignore ID[,ID] [reason]"
at the end of a rule's line, or alone on the line just above it, drops those checks for that rule (in a pg_hba.conf, or
in the inventory on the rule object's line; Pigsty's built-in default rules have no line of yours: use --ignore or a
baseline); --baseline FILE drops findings listed there (by check and a fingerprint of the rule's text, so moving lines
keeps it valid) and reports entries that match nothing as info. Suppressed findings are counted in the summary and
listed in JSON (suppressed) and SARIF (suppressions). Colour marks critical and high on a terminal only.`,
    examples: [
      "pgwarden hba lint /etc/postgresql/16/main/pg_hba.conf --server-ssl on --ident-file /etc/postgresql/16/main/pg_ident.conf",
      "PGPASSWORD=... pgwarden hba lint --conn postgresql://postgres@10.10.10.10/postgres --fail-on critical",
      "pgwarden hba lint --conn 'host=10.10.10.10 user=postgres sslmode=verify-full sslrootcert=pki/ca/ca.crt'",
      "pgwarden hba lint --inventory pigsty.yml --cluster pg-meta --instance pg-meta-1 --format sarif > hba.sarif",
      "pgwarden hba lint /etc/postgresql/15/main/pg_hba.conf --pg-version 15",
      "pgwarden hba lint pg_hba.conf --format compact --ignore md5-deprecated",
      "pgwarden hba lint --inventory pigsty.yml --cluster pg-meta --instance pg-meta-1 --write-baseline hba-baseline.json",
      "pgwarden hba lint --inventory pigsty.yml --cluster pg-meta --instance pg-meta-1 --baseline hba-baseline.json",
      "pgwarden hba lint --list-checks",
    ],
  });
}
