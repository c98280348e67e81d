import { hostname } from "node:os";

import { Command, Option } from "commander";

import type { ServerCertificate } from "../../../pg/server-certificate.js";
import type {
  ConnTlsDeployed,
  ConnTlsPlanned,
  PgdataTlsDeployed,
  PgdataTlsPlanned,
  TlsDeployResult,
} from "../../../pg/tls/deploy-result.js";
import { deployTls } from "../../../pg/tls/deploy-tls.js";
import type { ServedState } from "../../../pg/tls/served-verdict.js";
import type { ServedCheck, TlsPlan } from "../../../pg/tls-deploy.js";
import { SNIPPET_TARGETS, type SnippetTarget } from "../../../pg/tls-snippets.js";
import { CONN_FORMS_HELP, connectOptions, connOption } from "../../conn-url.js";
import { type CommandContext, contextOf } from "../../context.js";
import { noCnSanOption, sanOption } from "../../flags.js";
import { describe } from "../../help.js";
import { servedJson } from "../../json-view.js";
import { loadSigningCa } from "../cert/common.js";

interface Options {
  pgdata?: string;
  conn?: string;
  print?: SnippetTarget;
  configFile?: string;
  cn?: string;
  san: string[];
  group?: string;
  reload?: boolean;
  dryRun?: boolean;
  force?: boolean;
  log?: string;
  pgBin?: string;
  cnSan?: boolean;
  clientCn?: string;
  clientGroup?: string;
}

function planText(plan: TlsPlan, dryRun: boolean): string {
  const verb = (action: string) =>
    (dryRun
      ? { create: "would create", replace: "would replace", unchanged: "unchanged" }
      : { create: "created", replace: "replaced", unchanged: "unchanged" })[action as "create"];
  const files = plan.files.map(
    (file) =>
      `  ${verb(file.action).padEnd(13)} ${file.path} (${file.what}${file.action === "unchanged" ? "" : `, mode ${file.mode.toString(8).padStart(4, "0")}, owner ${plan.owner.name}`})`,
  );
  const settings = Object.entries(plan.settings).map(([name, value]) => `  ${name} = '${value}'`);
  return [
    `${plan.pgdata}:`,
    ...files,
    "settings (in pgwarden.conf, included last from postgresql.conf):",
    ...settings,
  ].join("\n");
}

/**
 * The one JSON shape of `pg tls` (schemas/pg-tls.schema.json), whichever of --pgdata, --conn, --print and
 * --dry-run ran: what did not happen is null or empty.
 */
function tlsJson(parts: {
  via: "pgdata" | "conn" | "print";
  dryRun?: boolean;
  dataDirectory?: string;
  certificate?: { path: string; action: string; reason: string | null; backups: readonly string[] } | null;
  plan?: TlsPlan;
  alterSystem?: readonly string[];
  reloaded?: boolean;
  served?: ServedCheck;
  snippet?: { target: SnippetTarget; text: string };
}) {
  return {
    via: parts.via,
    dryRun: parts.dryRun ?? false,
    dataDirectory: parts.dataDirectory ?? null,
    certificate: parts.certificate ?? null,
    plan: parts.plan ?? null,
    alterSystem: parts.alterSystem ?? [],
    reloaded: parts.reloaded ?? false,
    served: parts.served ? servedJson(parts.served) : null,
    snippet: parts.snippet ?? null,
  };
}

function certificateJson(server: ServerCertificate) {
  return { path: server.certPath, action: server.action, reason: server.reason ?? null, backups: server.backups ?? [] };
}

/** The JSON document of a result (the one shape of every mode). */
function resultJson(result: TlsDeployResult) {
  switch (result.via) {
    case "print":
      return tlsJson({ via: "print", snippet: result.snippet });
    case "conn":
      return result.dryRun
        ? tlsJson({ ...result })
        : tlsJson({ ...result, certificate: certificateJson(result.certificate) });
    case "pgdata": {
      if (!result.dryRun) return tlsJson({ ...result, certificate: certificateJson(result.certificate) });
      const { certificate } = result;
      return tlsJson({
        via: "pgdata",
        dryRun: true,
        dataDirectory: result.dataDirectory,
        certificate: {
          path: certificate.path,
          action: certificate.action,
          reason: certificate.reason ?? null,
          backups: [],
        },
        plan: result.plan,
      });
    }
  }
}

function connPlannedText(result: ConnTlsPlanned): string {
  const lines = result.alterSystem.map((name) => `  would ALTER SYSTEM SET ${name} = '${result.plan.settings[name]}'`);
  return `${planText(result.plan, true)}\n${lines.length ? lines.join("\n") : "  settings already as wanted"}\nwould reload the server (pg_reload_conf()) and check the certificate it serves`;
}

function connDeployedText(result: ConnTlsDeployed): string {
  const { plan, served, alterSystem } = result;
  return `${planText(plan, false)}\n${alterSystem.length ? `ALTER SYSTEM: ${alterSystem.join(", ")}` : "settings already as wanted"}\nserver: ${served.matches ? `serves this certificate (${served.probe?.protocol}, ${served.probe?.cipher})` : "does NOT serve this certificate"}`;
}

function pgdataPlannedText(result: PgdataTlsPlanned): string {
  const { certificate } = result;
  const action =
    certificate.action === "reissue"
      ? `reissue ${certificate.path} (${certificate.reason})`
      : `issue ${certificate.path}`;
  const certLine =
    certificate.action === "kept"
      ? `server certificate: ${certificate.path} (kept)`
      : `server certificate: would ${action} for ${certificate.subjectAltNames.join(", ")}`;
  return `${certLine}\n${planText(result.plan, true)}${result.wouldReload ? "\nwould reload the server (pg_ctl reload) and check the certificate it serves" : ""}`;
}

const SERVED_LINES: Record<ServedState, (served: ServedCheck) => string> = {
  "not-running": () => "server: not running; the new settings take effect when it starts",
  serves: (served) =>
    `server: serves this certificate (${served.probe?.protocol}, ${served.probe?.cipher}, verified: ${served.probe?.verified ? "yes" : `no, ${served.probe?.verifyError}`})`,
  "awaiting-reload": () =>
    "server: still serves the previous certificate: reload it (pgwarden pg tls --reload, or pg_ctl reload)",
  "not-served": () => `server: does NOT serve this certificate`,
};

function pgdataDeployedText(result: PgdataTlsDeployed): string {
  const { certificate: server, plan } = result;
  return `server certificate: ${server.certPath} (${server.action}${server.reason ? `: ${server.reason}` : ""})\n${plan.changed ? "" : "nothing to change\n"}${planText(plan, false)}\n${SERVED_LINES[result.servedState](result.served)}`;
}

function resultText(result: TlsDeployResult): string {
  switch (result.via) {
    case "print":
      return result.snippet.text;
    case "conn":
      return result.dryRun ? connPlannedText(result) : connDeployedText(result);
    case "pgdata":
      return result.dryRun ? pgdataPlannedText(result) : pgdataDeployedText(result);
  }
}

async function run(ctx: CommandContext, options: Options): Promise<void> {
  const result = await deployTls(options, {
    layout: () => ctx.layout,
    signingCa: () => loadSigningCa(ctx, false, { profile: "server" }),
    connect: connectOptions(ctx),
    now: ctx.now,
    hostname: hostname(),
    onWarning: (message) => ctx.output.warn(message),
    onInfo: (message) => ctx.output.info(message),
  });
  if (ctx.output.format === "json") ctx.output.json(resultJson(result));
  else ctx.output.data(resultText(result));
  // Shown first, then failed: what was written and what the server serves is worth reading either way.
  if (result.via !== "print" && !result.dryRun && result.failure) throw result.failure;
}

export function pgTlsCommand(): Command {
  const command = new Command("tls")
    .addOption(new Option("--pgdata <dir>", "the cluster's data directory (a cluster on this machine)"))
    .addOption(connOption(`a running server reached as a superuser, settings through ALTER SYSTEM: ${CONN_FORMS_HELP}`))
    .addOption(
      new Option(
        "--print <target>",
        "print the TLS lines for pgbouncer, Patroni or etcd on the host --cn, with its certificate from the PKI",
      ).choices([...SNIPPET_TARGETS]),
    )
    .addOption(
      new Option(
        "--client-cn <role>",
        "with --print pgbouncer|patroni: the client certificate the service presents when it connects out (pgbouncer to PostgreSQL, patronictl to the REST API)",
      ),
    )
    .addOption(new Option("--client-group <name>", "folder of the --client-cn certificate (default client)"))
    .addOption(
      new Option(
        "--config-file <file>",
        "its postgresql.conf (default PGDATA/postgresql.conf; Debian: /etc/postgresql/<version>/<cluster>/postgresql.conf)",
      ),
    )
    .addOption(new Option("--cn <name>", "the server certificate's CN (default: this host's name)"))
    .addOption(sanOption())
    .addOption(noCnSanOption())
    .addOption(
      new Option(
        "--group <name>",
        "folder under the PKI directory for the certificate (default server; peer for patroni and etcd)",
      ),
    )
    .addOption(new Option("--reload", "reload the running server and check that it serves the new certificate"))
    .addOption(new Option("--dry-run", "print every file and setting it would change, change nothing"))
    .addOption(
      new Option(
        "--force",
        "rewrite a server key whose mode or owner PostgreSQL would refuse; replace a server certificate (<pki>/<group>/<cn>.crt or " +
          "PGDATA/server.crt) that pgwarden did not make for this server (kept as .bak), or one whose wildcard name cannot be carried over; " +
          "replace a symbolic link in PGDATA (the link itself kept as .bak); install an ssl_ca_file that locks out client " +
          "certificates the server accepts now",
      ),
    )
    .addOption(
      new Option(
        "--log <file>",
        "the server's log, to quote PostgreSQL's reason when a reload is rejected (default: from current_logfiles)",
      ),
    )
    .addOption(new Option("--pg-bin <dir>", "PostgreSQL's programs, for pg_ctl reload"))
    .action(async (options: Options, cmd: Command) => run(contextOf(cmd), options));
  return describe(command, {
    summary: "deploy certificates into a cluster and turn TLS on",
    description: `Turn TLS on for an existing cluster: issue (or reuse) its server certificate from the pgwarden CA, install
server.crt, server.key and root.crt into PGDATA (owner of PGDATA, mode 0600, backups of replaced files), and set
ssl, ssl_cert_file, ssl_key_file, ssl_ca_file, ssl_crl_file and ssl_min_protocol_version in pgwarden.conf, which
one include line in postgresql.conf pulls in (the rest of your file is never rewritten). With --reload it reloads
the server and checks from a real TLS handshake that the new certificate is served; a reload PostgreSQL rejected
is a failure with PostgreSQL's reason, and so is a served certificate that does not verify against the CA for the first
name asked for (the handshake's "verified: no"). With intermediates (ca init --intermediates), the certificate
comes from the "server" intermediate and server.crt holds it followed by that intermediate; root.crt (ssl_ca_file)
holds the "client" intermediate's self-signed anchor (ca/client-ca.anchor.crt), so that only certificates of the
client issuer log in by cert (a CN=postgres signed by the server intermediate or the root is refused; README,
"Dedicated client trust"); without a client intermediate root.crt is the root, as before. During a CA rotation (ca
rotate until ca retire) root.crt holds the new root and the old (with a client intermediate: the current and the rotated
client anchors), the handshake check accepts either root, and a server certificate the old root signed is kept until
cert renew replaces it; run pg tls --reload again after ca retire to drop the old one (README, "Trust during a CA rotation").
Without --san the certificate names the CN, localhost, 127.0.0.1 and ::1.
An existing <pki>/<group>/<cn>.crt that lacks a requested name (or has under 30 days left, or was revoked with
cert revoke: the output says why) is re-issued with every name it had plus the new ones (a VIP or alias is never
dropped; to drop a name, move the old certificate away first), its old
certificate and key kept as .bak (the key's copy 0600); one pgwarden did not make for this server (not signed by this CA,
not in its inventory, not a server certificate, or its key missing or not its own) is refused unless --force, and so is
a server.crt in PGDATA that pgwarden did not make (installed by hand): --force replaces it, kept as .bak. The PKI's CRLs,
<pki>/crl/combined.crl (written by pgwarden crl and cert revoke; else <pki>/crl/ca.crl), are installed only if every CA
of the PKI has its CRL there, each signed by its CA, parseable and current (thisUpdate not ahead, nextUpdate not past):
otherwise nothing is issued, written or reloaded. With --conn, for a
running server reached as a superuser, the files go where data_directory is and the settings through ALTER
SYSTEM and pg_reload_conf(). The server.crt PGDATA holds (signed by this CA) is never replaced by one with fewer names:
the new certificate, whatever its --cn, also names every host the old one answered to (its SANs, and its CN when it has no
DNS SAN), so --cn newname keeps a VIP given earlier with --san; a wildcard it cannot carry over is refused unless --force.
A symbolic link among the files it replaces in PGDATA is refused (exit 2) rather than followed; --force replaces the link
and keeps a copy of the link itself (never of its target) as .bak. Every file it writes there, backups too, is owned by
PGDATA's owner. Once the PKI has a client intermediate (ca init --intermediates on an existing PKI), ssl_ca_file
becomes its anchor, which accepts only "client" certificates: while the ssl_ca_file installed now accepts client
certificates pgwarden recorded (valid, unrevoked, issued by the root or another issuer) that the new one would refuse,
pg tls refuses (exit 7, nothing changed), listing the first 10 and the count; re-issue them with
pgwarden cert renew --all --group client --issuer client and deploy the new certificates (cert export) first, or pass
--force to lock them out. --print writes the matching TLS lines for pgbouncer, Patroni or etcd.
With --format json every mode answers in one shape (schemas/pg-tls.schema.json): via (pgdata, conn or print), dryRun,
certificate, plan (file modes as "0600"), alterSystem, reloaded, served and snippet, null or empty where they do not apply.`,
    examples: [
      "pgwarden pg tls --pgdata /var/lib/postgresql/15/main --config-file /etc/postgresql/15/main/postgresql.conf --cn db1.example.com --san db1.example.com --san 10.0.0.11 --reload",
      "pgwarden pg tls --pgdata ./data --dry-run",
      "pgwarden pg tls --print etcd --cn etcd-1 --format json",
      "PGPASSWORD=... pgwarden pg tls --conn postgresql://postgres@127.0.0.1:5432/postgres --cn db1.example.com",
      "pgwarden pg tls --print pgbouncer --cn db1.example.com --client-cn dbuser_app",
      "pgwarden pg tls --pgdata ./data --cn db1.example.com --san db1.example.com --san 10.0.0.11 --reload --force   # replace a certificate made elsewhere",
      "pgwarden pg tls --pgdata ./data --cn db1-new.example.com --reload   # new CN; the old server.crt's names (a VIP) are kept",
      "pgwarden ca rotate && pgwarden pg tls --pgdata ./data --cn db1.example.com --reload   # trust old and new roots",
      "pgwarden ca init --intermediates && pgwarden cert renew --all --group client --issuer client && pgwarden pg tls --pgdata ./data --reload",
    ],
    exitNotes: [
      "1   the reload did not take: PostgreSQL still serves the previous certificate (its log's reason is quoted)",
      "2   a server certificate pgwarden did not make (in the PKI or PGDATA/server.crt) would be replaced: pass --force",
      "2   a file it would replace in PGDATA is a symbolic link, or the old server.crt has a wildcard name it cannot carry over: pass --force",
      "7   <pki>/crl/combined.crl (or crl/ca.crl) is expired, not yet valid, signed by another CA, lacks a CA's CRL, unreadable or not a CRL (nothing was changed);",
      '    or the certificate served after the run does not verify against the CA ("verified: no");',
      "    or the new ssl_ca_file would lock out client certificates the server accepts now (cert renew --issuer client, or --force)",
    ],
  });
}
