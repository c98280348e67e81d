import { existsSync, statSync } from "node:fs";

import { Command, Option } from "commander";

import { type AuditTarget, type ServerTarget, targetName } from "../../../audit/audit-target.js";
import { compareWithBaseline, findingsThatCount, readAuditBaseline } from "../../../audit/baseline.js";
import { ALL_CHECKS } from "../../../audit/checks/index.js";
import { inventoryTargets } from "../../../audit/fleet/inventory-targets.js";
import { type AuditReport } from "../../../audit/report/audit-report.js";
import { renderHtml } from "../../../audit/report/render-html.js";
import { renderSarif } from "../../../audit/report/render-sarif.js";
import { renderText } from "../../../audit/report/render-text.js";
import { runAudit } from "../../../audit/run-audit.js";
import { targetUnreachable } from "../../../audit/target-unreachable.js";
import { loadInventory } from "../../../config/load-inventory.js";
import { ExitCode, notFoundError, usageError } from "../../../core/errors.js";
import { failsAt, type Severity } from "../../../core/finding.js";
import { readInputFile } from "../../../core/fs/read-input.js";
import { resolveConnection } from "../../../pg/conninfo/resolve.js";
import { trustedRootsFile } from "../../../pki/authority/trust-anchors.js";
import { decodeCertificates } from "../../../pki/encoding/pem.js";
import { pkiLayout } from "../../../pki/pki-layout.js";
import { checkConn, CONN_FORMS_HELP } from "../../conn-url.js";
import { type CommandContext, contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { useColour } from "../../finding-text.js";
import { failOnOption } from "../../flags.js";
import { describe } from "../../help.js";
import { integerFlag } from "../../number-flags.js";
import { jsonText } from "../../output.js";
import { progressBar } from "../../progress.js";
import { versionLine } from "../../version.js";
import { checkHtmlPath, writeHtmlReport } from "./html-output.js";

/** Servers audited at once unless --concurrency says otherwise: enough for a fleet, few enough for 2 cores. */
const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 64;

interface Options {
  conn: string[];
  inventory?: string;
  cluster?: string;
  connTemplate?: string;
  pgdata?: string;
  ca?: string;
  format?: "text" | "json" | "sarif";
  html?: string;
  baseline?: string;
  failOn: Severity;
  concurrency: number;
  /** False with --no-color. */
  color: boolean;
}

/** The CA clients verify the servers against: --ca, else the PKI's roots when that PKI exists; read and checked. */
async function trustedCa(options: Options, ctx: CommandContext): Promise<ServerTarget["trustedCa"]> {
  let file = options.ca;
  if (file === undefined) {
    const layout = pkiLayout(ctx.pkiDir);
    if (!existsSync(layout.caCert)) return undefined;
    file = trustedRootsFile(layout);
  }
  const pem = await readInputFile(file, "--ca", "ca-not-found");
  decodeCertificates(pem, `--ca ${file}`);
  return { pem, file };
}

/** --pgdata must be a directory: a typo is one line (exit 4, or 2 for a file), not a report of file checks that failed. */
function checkPgdata(pgdata: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(pgdata).isDirectory();
  } catch {
    throw notFoundError("pgdata-missing", `--pgdata ${pgdata} does not exist: give the server's data directory`);
  }
  if (!isDirectory)
    throw usageError("pgdata-not-directory", `--pgdata ${pgdata} is not a directory: give the server's data directory`);
}

/** Every target the flags name: each --conn, the inventory's instances and the inventory itself; checked, none reached yet. */
async function auditTargets(options: Options, ctx: CommandContext): Promise<AuditTarget[]> {
  if (options.inventory === undefined) {
    if (options.cluster !== undefined)
      throw usageError("cluster-without-inventory", "--cluster needs --inventory FILE");
    if (options.connTemplate !== undefined)
      throw usageError("template-without-inventory", "--conn-template needs --inventory FILE");
  }
  const servers: ServerTarget[] = [];
  const conns: (string | undefined)[] =
    options.conn.length > 0 ? options.conn : options.inventory === undefined ? [undefined] : [];
  for (const conn of conns) {
    const connection = resolveConnection(conn, { env: ctx.env, source: "--conn" });
    for (const warning of connection.warnings) ctx.output.warn(warning);
    servers.push({ kind: "server", name: targetName(connection), connection });
  }
  let inventoryTarget: AuditTarget | undefined;
  if (options.inventory !== undefined) {
    const inventory = await loadInventory(options.inventory);
    for (const warning of inventory.warnings) ctx.output.warn(warning);
    const fleet = inventoryTargets({
      inventory,
      file: options.inventory,
      env: ctx.env,
      ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
      ...(options.connTemplate === undefined ? {} : { connTemplate: options.connTemplate }),
    });
    for (const warning of fleet.warnings) ctx.output.warn(warning);
    servers.push(...fleet.servers);
    inventoryTarget = fleet.inventory;
  }
  const names = new Set<string>();
  for (const server of servers) {
    if (names.has(server.name))
      throw usageError("duplicate-target", `${server.name} is named twice (by --conn or the inventory): audit it once`);
    names.add(server.name);
  }
  if (options.pgdata !== undefined && servers.length !== 1)
    throw usageError(
      "pgdata-with-several-servers",
      `--pgdata is the data directory of one server, but ${servers.length} servers are to be audited: give one --conn with --pgdata, or leave --pgdata out`,
    );
  if (options.pgdata !== undefined) checkPgdata(options.pgdata);
  const ca = await trustedCa(options, ctx);
  const targets: AuditTarget[] = servers.map((server) => ({
    ...server,
    ...(options.pgdata === undefined ? {} : { pgdata: options.pgdata }),
    ...(ca === undefined ? {} : { trustedCa: ca }),
  }));
  if (inventoryTarget) targets.push(inventoryTarget);
  return targets;
}

function output(report: AuditReport, options: Options, ctx: CommandContext): void {
  const format = options.format ?? ctx.output.format;
  if (format === "sarif") {
    ctx.output.jsonPiece(`${jsonText(renderSarif(report, [...ALL_CHECKS, targetUnreachable]))}\n`);
  } else if (format === "json") ctx.output.json({ ...report, failOn: options.failOn });
  else if (useColour(process.stdout, ctx.env, !options.color))
    // The renderer escapes what the servers said; the colours are its only escapes.
    process.stdout.write(renderText(report, { color: true }));
  else ctx.output.data(renderText(report, { color: false }));
}

export function auditCommand(): Command {
  const command = new Command("audit")
    .addOption(
      new Option("--conn <string>", `a server to audit (repeat for several): ${CONN_FORMS_HELP}`)
        .argParser((value: string, previous: string[] | undefined) => {
          checkConn(value);
          return [...(previous ?? []), value];
        })
        .default([], "without --conn or --inventory: libpq's defaults, as psql with no arguments"),
    )
    .addOption(
      new Option(
        "--inventory <file>",
        "a Pigsty inventory: every PostgreSQL instance in it is audited, and the inventory's own settings",
      ),
    )
    .addOption(new Option("--cluster <name>", "with --inventory: only this cluster's instances"))
    .addOption(
      new Option(
        "--conn-template <string>",
        "with --inventory: how to reach each instance, {host} {port} {cluster} {instance} {seq} {user} filled in " +
          "(default: host=<ansible_host or the host key> port=<pg_port> user=<pg_admin_username, else pg_dbsu, else dbuser_dba> dbname=postgres); no password in it",
      ),
    )
    .addOption(
      new Option(
        "--pgdata <dir>",
        "the data directory, when auditing on the server's host: file modes and owners (one server only)",
      ),
    )
    .addOption(
      new Option(
        "--ca <file>",
        "the CA certificate(s) clients verify the servers against (default: the PKI's ca/roots.crt or ca/ca.crt when --pki exists)",
      ),
    )
    .addOption(
      new Option("--format <format>", "text (default), json (one document) or sarif (SARIF 2.1.0)").choices([
        "text",
        "json",
        "sarif",
      ]),
    )
    .addOption(new Option("--html <file>", "also write the report as one self-contained HTML page (0600, atomically)"))
    .addOption(
      new Option(
        "--baseline <file>",
        "an earlier report (--format json): say what is new, unchanged and fixed since; only new findings count for " +
          "--fail-on, and target/unreachable always does (a server not audited now is never passed)",
      ),
    )
    .addOption(failOnOption())
    .addOption(
      new Option("--concurrency <n>", `servers audited at once, 1 to ${MAX_CONCURRENCY}`)
        .argParser(integerFlag({ flag: "--concurrency", min: 1, max: MAX_CONCURRENCY, code: "bad-concurrency" }))
        .default(DEFAULT_CONCURRENCY),
    )
    .addOption(new Option("--no-color", "no colour (colour is used only on a terminal, and never with NO_COLOR set)"))
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      // Every input is checked before any server is reached: a refusal costs nothing and writes nothing.
      if (options.html !== undefined) checkHtmlPath(options.html);
      const baseline = options.baseline === undefined ? undefined : await readAuditBaseline(options.baseline);
      const targets = await auditTargets(options, ctx);
      const progress = targets.length > 1 ? progressBar(ctx.output, "audit") : undefined;
      const audited = await runAudit(targets, {
        now: ctx.now,
        checks: ALL_CHECKS,
        version: versionLine().replace(/^pgwarden /, ""),
        concurrency: options.concurrency,
        ...(progress === undefined ? {} : { onProgress: progress }),
      });
      const report: AuditReport = baseline ? { ...audited, baseline: compareWithBaseline(audited, baseline) } : audited;
      if (options.html !== undefined) {
        await writeHtmlReport(options.html, renderHtml(report));
        ctx.output.info(`HTML report: ${options.html}`);
      }
      output(report, options, ctx);
      // A server not audited fails the gate whatever --fail-on says: nothing is known of it.
      const notAudited = report.targets.some((target) => !target.reachable);
      if (notAudited || failsAt(findingsThatCount(report), options.failOn)) throw new ExitSignal(ExitCode.checkFailed);
    });
  return describe(command, {
    summary: "audit live servers: evidence-based checks mapped to the four layers, SOC 2 and CIS",
    description: `Read running servers' settings, rules, roles and the certificate each serves, and judge them with every
check of the audit: each finding with its evidence (setting and file:line, rule and line, role, certificate field),
why it matters and the fix (SQL, a configuration line or the pgwarden command). Read-only: nothing is changed on any
server. Several --conn, or every instance of --inventory (each reached by --conn-template, else by its host's settings;
passwords from PGPASSWORD or ~/.pgpass), are audited concurrently (--concurrency) with progress on stderr, into one
report; a server that cannot be reached or refuses the login is a finding (target/unreachable, high), not an error.
As a superuser every check runs; with less (pg_monitor) the checks the role cannot run are listed with the grant that
would allow them. --pgdata (one server, on its host) adds the file checks. Output: text (by layer, worst first, colour
on a terminal), --format json or sarif, and --html FILE (one page, no network request). --baseline FILE (an earlier
--format json report) says what is new, unchanged and fixed, and then only new findings count for --fail-on, except
target/unreachable. Exits 1 when a finding reaches --fail-on (default high, as hba lint and password audit; --fail-on
critical lets high pass), and whenever a server could not be audited, whatever --fail-on and --baseline say (a gate
never passes a server it knows nothing of).`,
    exitNotes: [
      "1  a finding reaches --fail-on (default high; with --baseline only a new one counts), or a server was not audited",
      "2  --pgdata with several servers, a --baseline that is not an audit report, --html onto a directory or another's file",
      "4  --baseline, --inventory, --ca, --pgdata or --html's directory not found",
    ],
    examples: [
      "PGPASSWORD=... pgwarden audit --conn 'postgresql://dbuser_dba@10.10.10.10/postgres?sslmode=verify-full'",
      "pgwarden audit --conn 'host=10.10.10.10 user=dbuser_dba' --conn 'host=10.10.10.11 user=dbuser_dba' --html audit.html",
      "pgwarden audit --inventory pigsty.yml --cluster pg-meta --conn-template 'host={host} port={port} user=dbuser_monitor sslmode=verify-full'",
      "pgwarden audit --conn postgresql://postgres@127.0.0.1/postgres --pgdata /pg/data --format json > audit.json",
      "pgwarden audit --inventory pigsty.yml --baseline audit.json --fail-on high   # CI: fail only on new high findings",
      "pgwarden audit --inventory pigsty.yml --format sarif > audit.sarif",
    ],
  });
}
