import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

import { Command, Option } from "commander";

import { LAYER_TITLES, LAYERS } from "../../audit/layer.js";
import { SEVERITIES } from "../../core/finding.js";
import { sourcePrefix } from "../../core/source-location.js";
import { type HbaRule } from "../../hba/model.js";
import { shellWord } from "../../pki/trust/conninfo.js";
import { QUICKSTART_ROLE, type QuickstartResult, runQuickstart } from "../../quickstart/quickstart.js";
import { SANDBOX_CLUSTER } from "../../quickstart/sandbox-inventory.js";
import { contextOf } from "../context.js";
import { describe } from "../help.js";
import { hbaRuleJson } from "../json-view.js";
import { programWord } from "../program-word.js";
import { keyValueLines } from "../render.js";
import { versionLine } from "../version.js";

/** Default working directory: stable, so running quickstart again reuses what it made. */
export function defaultQuickstartDir(env: NodeJS.ProcessEnv): string {
  return env.PGWARDEN_QUICKSTART_DIR ?? join(tmpdir(), "pgwarden-quickstart");
}

/** `pgwarden.yml:20: hostssl all dbuser_app 127.0.0.1/32 scram-sha-256`: where the rule is written, and the rule. */
function ruleLine(rule: HbaRule): string {
  return `${sourcePrefix({ ...rule.source, file: basename(rule.source.file) })}${rule.text.replace(/\s+/g, " ")}`;
}

function rulesText(hba: QuickstartResult["hba"], inventory: string, pgwarden: string): string[] {
  const installed = { create: "installed", replace: "installed", unchanged: "already installed" }[hba.applied.action];
  const lint =
    hba.findings.length === 0
      ? "hba lint: no findings"
      : `hba lint: ${hba.findings.length} findings (${pgwarden} hba lint --inventory ${shellWord(inventory)} --cluster ${SANDBOX_CLUSTER} reads them)`;
  return [
    `access rules: ${hba.rules.length} rules rendered as ${hba.name}, ${lint}, ${installed} in ${hba.applied.hbaFile}${hba.applied.backup ? ` (previous file kept as ${hba.applied.backup})` : ""}`,
    ...hba.rules.map((rule) => `  ${ruleLine(rule)}`),
  ];
}

function rolesText(roles: QuickstartResult["roles"]): string[] {
  if (roles.changes.length === 0) return ["roles: the role model and users already match the inventory"];
  const created = roles.changes.filter((change) => change.kind === "create-role").map((change) => change.role);
  return [
    `roles: ${roles.changes.length} changes in one transaction${created.length > 0 ? `, created ${created.join(", ")}` : ""} (passwords sent as SCRAM verifiers)`,
  ];
}

/**
 * The last lines: commands to paste into a shell, each working as printed (paths quoted for a POSIX
 * shell, pgwarden as the shell finds it): the PKI exported for every pgwarden command that follows.
 */
function nextText(result: QuickstartResult, pgwarden: string): string[] {
  const sandboxDir = shellWord(result.sandbox.state.dir);
  const onPath =
    pgwarden === "pgwarden"
      ? ""
      : " (pgwarden is not on PATH here, so its full path; bash scripts/setup.sh puts it there)";
  return [
    "Connect yourself:",
    `  ${result.psql}`,
    `Stop the sandbox: ${pgwarden} sandbox down --dir ${sandboxDir}`,
    "",
    `Next, in this shell: the export points pgwarden at this PKI${onPath}:`,
    `  export PGWARDEN_PKI=${shellWord(result.layout.root)}`,
    `  ${pgwarden} cert list`,
    `  ${pgwarden} sandbox status --dir ${sandboxDir}`,
  ];
}

/** The sandbox's audit: the score of each layer, the findings by severity, and the HTML report's path. */
function auditText(audit: QuickstartResult["audit"]): string[] {
  const { scores, findings } = audit;
  const counted = [...SEVERITIES]
    .reverse()
    .filter((severity) => findings[severity] > 0)
    .map((severity) => `${findings[severity]} ${severity}`);
  return [
    `Audit of the sandbox (pgwarden audit --pgdata, every check): overall ${scores.overall.score}/100, ${counted.length === 0 ? "no findings" : `findings: ${counted.join(", ")}`}`,
    `  ${LAYERS.map((layer) => `${LAYER_TITLES[layer].title.toLowerCase()} ${scores.layers[layer].score}/100`).join(", ")}`,
    ...(audit.notRun > 0 ? [`  ${audit.notRun} checks could not run`] : []),
    `  report: ${audit.html}`,
  ];
}

function quickstartText(result: QuickstartResult, pgwarden: string): string {
  const { ca, sandbox, client, session, app } = result;
  const served = sandbox.served.probe;
  return [
    `pgwarden quickstart in ${result.dir}`,
    "",
    `CA (${ca.action}): ${result.layout.caCert}`,
    `  ${ca.info.subject}, ${ca.info.keyType}, until ${ca.info.notAfter} (${ca.info.daysLeft} days), sha256 ${ca.info.fingerprintSha256}`,
    ...(ca.issuers.client === "ca"
      ? []
      : [
          `  intermediates${ca.intermediatesCreated.length ? ` (created: ${ca.intermediatesCreated.join(", ")})` : ""}: ` +
            `server certificates from "${ca.issuers.server}", logins only with certificates from "${ca.issuers.client}"`,
        ]),
    `sandbox (${sandbox.action}): PostgreSQL on 127.0.0.1:${sandbox.state.port}, data in ${sandbox.state.pgdata}`,
    `  server certificate (${sandbox.serverCertificate.action}): ${sandbox.serverCertificate.certPath}`,
    `inventory (${result.inventory.action}): ${result.inventory.path}`,
    ...rulesText(result.hba, result.inventory.path, pgwarden),
    ...rolesText(result.roles),
    `role ${result.role.name} (${result.role.action})`,
    `client certificate (${client.action}): ${client.certPath}`,
    `  key ${client.keyPath} (0600), serial ${client.info.serial}`,
    "",
    "Connected with node-postgres, sslmode=verify-full, logged in by the client certificate:",
    keyValueLines([
      ["  current_user", session.currentUser],
      ["  TLS (pg_stat_ssl)", `${session.version}, ${session.cipher}`],
      ["  client DN", session.clientDn],
      [
        "  server certificate",
        served ? `${served.subject}, verified against the CA, until ${served.notAfter?.toISOString()}` : undefined,
      ],
      ["  client certificate", `until ${client.info.notAfter} (${client.info.daysLeft} days)`],
    ]),
    "",
    ...(app
      ? [
          `Connected as ${app.user} with its password (from ${app.passwordFrom}, never shown), no client certificate:`,
          keyValueLines([
            ["  current_user", app.session.currentUser],
            ["  TLS (pg_stat_ssl)", `${app.session.version}, ${app.session.cipher}`],
            ["  rule that let it in", app.rule ? ruleLine(app.rule) : undefined],
          ]),
        ]
      : ["The inventory gives dbuser_app no plaintext password, so there is no password login to show."]),
    "",
    ...auditText(result.audit),
    "",
    ...nextText(result, pgwarden),
  ].join("\n");
}

export function quickstartCommand(): Command {
  const command = new Command("quickstart")
    .addOption(
      new Option("--dir <dir>", "where to work (env PGWARDEN_QUICKSTART_DIR, default $TMPDIR/pgwarden-quickstart)"),
    )
    .addOption(
      new Option(
        "--role <name>",
        'the database role to create and log in as, also its certificate\'s CN: letters, digits, "_", "-", "." and "@", at most 63 bytes',
      ).default(QUICKSTART_ROLE),
    )
    .addOption(new Option("--pg-bin <dir>", "PostgreSQL's server programs (default: found on this machine)"))
    .action(async (options: { dir?: string; role: string; pgBin?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dir = resolve(options.dir ?? defaultQuickstartDir(ctx.env));
      const result = await runQuickstart({
        dir,
        role: options.role,
        pgBin: options.pgBin,
        passphrase: await ctx.passphrase(),
        now: ctx.now,
        version: versionLine().replace(/^pgwarden /, ""),
      });
      for (const warning of result.roles.warnings) ctx.output.warn(warning);
      if (ctx.output.format === "json") {
        const { sandbox, hba, app } = result;
        // Public fields only (schemas/quickstart.schema.json): paths and verdicts, never the PKI layout object or parser tokens.
        ctx.output.json({
          dir: result.dir,
          pki: result.layout.root,
          ca: { action: result.ca.action, certificate: result.ca.info },
          sandbox: {
            action: sandbox.action,
            state: sandbox.state,
            serverCertificate: sandbox.serverCertificate.certPath,
          },
          inventory: result.inventory,
          hba: { name: hba.name, rules: hba.rules.map(hbaRuleJson), findings: hba.findings, applied: hba.applied },
          roles: {
            changes: result.roles.changes.map(({ kind, role, summary, sql }) => ({ kind, role, summary, sql })),
          },
          role: result.role,
          client: {
            action: result.client.action,
            certPath: result.client.certPath,
            keyPath: result.client.keyPath,
            certificate: result.client.info,
          },
          session: result.session,
          psql: result.psql,
          app: app
            ? {
                user: app.user,
                passwordFrom: app.passwordFrom,
                session: app.session,
                rule: app.rule ? hbaRuleJson(app.rule) : null,
              }
            : null,
          audit: {
            html: result.audit.html,
            scores: result.audit.scores,
            findings: result.audit.findings,
            notRun: result.audit.notRun,
          },
        });
      } else ctx.output.data(quickstartText(result, programWord()));
    });
  return describe(command, {
    summary: "the main job end to end: CA, secured sandbox, role, client certificate, proven connection",
    description: `The main job, end to end: create a CA with its "server" and "client" intermediates (as ca init
--intermediates; the sandbox then lets in only certificates of "client"), or adopt the PKI in --dir/pki as it is
(with a client intermediate, its certificates are the ones issued and let in), start a PostgreSQL sandbox on
127.0.0.1 secured from its first start, write a small inventory for it (pgwarden.yml, Pigsty's format) whose
access rules are rendered, linted and installed and whose role model (Pigsty's four tiers and system users) and
sample application user dbuser_app are applied in one transaction, passwords as SCRAM verifiers. Then issue the
role dbuser_dba its client certificate, connect with node-postgres using sslmode=verify-full and that
certificate, connect as dbuser_app with its password over TLS, and print what the server says about each
session (current_user, TLS version and cipher from pg_stat_ssl), the certificates' expiry, and the lines to
paste next: a psql line (its sslrootcert is ca/roots.crt while a CA rotation is under way), export PGWARDEN_PKI=<dir>/pki (so that pgwarden commands find this PKI) and pgwarden
commands, written as pgwarden when PATH finds it (bash scripts/setup.sh puts it there), else as bin/pgwarden.js's
full path. Last it audits the sandbox (pgwarden audit --pgdata as its superuser, every check, read-only) and prints
the score of each layer, the findings by severity and the path of the HTML report it writes to <dir>/audit.html.
Running it again keeps what exists; edit pgwarden.yml and run it again, and the rules and roles follow.
Every input is checked before anything is made: --role, --dir (a directory the postgres account can enter),
--pg-bin or the server programs, and a pgwarden.yml left in --dir (its rules and passwords); a refusal (exit 2,
3 or 4) leaves no directory, CA, file or server behind.`,
    examples: [
      "pgwarden quickstart",
      "pgwarden quickstart --dir /tmp/demo",
      "pgwarden quickstart --dir /tmp/demo --role dbuser_ops",
      "pgwarden quickstart --format json",
      "pgwarden ca init --intermediates --pki /tmp/demo/pki && pgwarden quickstart --dir /tmp/demo   # adopts that PKI",
    ],
  });
}
