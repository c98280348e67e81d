import { access, readFile, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";

import { Command, Option } from "commander";

import { notFoundError, usageError } from "../../../core/errors.js";
import { alterSystem, configErrors, reloadConf, serverFacts } from "../../../pg/alter-system.js";
import { connectSuperuser } from "../../../pg/connect.js";
import { findServerBinaries } from "../../../pg/pg-binaries.js";
import { readPostmasterPid } from "../../../pg/postmaster.js";
import {
  ensureServerCertificate,
  findServerCertificate,
  foreignCertificateError,
  type ServerCertificate,
  type ServerCertificateRequest,
  withInstalledNames,
} from "../../../pg/server-certificate.js";
import {
  applyTls,
  checkInstalledCertificate,
  checkServed,
  notServedError,
  planTls,
  reloadRejection,
  reloadServer,
  type ServedCheck,
  serverKeyProblem,
  type ServerTlsMaterial,
  TLS_FILES,
  type TlsPlan,
  unverifiedError,
} from "../../../pg/tls-deploy.js";
import { renderTlsSnippet, SNIPPET_TARGETS, type SnippetTarget } from "../../../pg/tls-snippets.js";
import type { CertificateAuthority } from "../../../pki/certificate-authority.js";
import { readCaCrl } from "../../../pki/crl-file.js";
import { leafPaths } from "../../../pki/pki-layout.js";
import { parseSubjectAltName } from "../../../pki/subject-alt-name.js";
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

function serverRequest(options: Options): ServerCertificateRequest {
  const commonName = options.cn ?? hostname();
  const sans =
    options.san.length > 0
      ? options.san
      : [commonName, "localhost", "127.0.0.1", "::1"].filter((san, index, all) => all.indexOf(san) === index);
  return {
    commonName,
    subjectAltNames: sans,
    group: options.group ?? "server",
    force: options.force,
    cnAsSan: options.cnSan,
  };
}

/** The request plus every name PGDATA's server.crt answers to now: replacing it must not cut off a client that reaches the server by one of them. */
async function keepingInstalledNames(
  ctx: CommandContext,
  ca: CertificateAuthority,
  request: ServerCertificateRequest,
  pgdata: string,
): Promise<ServerCertificateRequest> {
  const path = join(pgdata, TLS_FILES.cert);
  const installed = await readFile(path, "utf8").catch(() => undefined);
  return withInstalledNames(request, installed, ca, ctx.now, path);
}

/** The name the final handshake verifies the served certificate for: the first one asked for, as a verify-full client would. */
function verifyName(request: ServerCertificateRequest): string {
  return parseSubjectAltName(request.subjectAltNames[0] ?? request.commonName).value;
}

/** The CA's CRL, checked (signed by the CA, current, parseable) before anything is issued, written or reloaded. */
function checkedCrl(ctx: CommandContext, ca: CertificateAuthority): Promise<string | undefined> {
  return readCaCrl(ctx.layout, { issuers: [{ der: ca.der }], now: ctx.now });
}

/** The served certificate after the run must verify (chain to the CA, valid now, names the host): exit 7 otherwise. */
function requireVerified(served: ServedCheck, servername: string, hint: () => string): void {
  if (served.running && served.probe?.tls && served.probe.verified === false)
    throw unverifiedError(served, servername, hint());
}

/** Each of `paths` must exist; the first missing one is not-found (exit 4), saying how to issue it. */
async function requireIssued(paths: readonly string[], issueFlags: string): Promise<void> {
  for (const path of paths) {
    await access(path).catch(() => {
      throw notFoundError("no-certificate", `${path} not found: issue it first with pgwarden cert issue ${issueFlags}`);
    });
  }
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

/** `--print`: the TLS lines for pgbouncer, Patroni or etcd on a host whose certificate is in the PKI. */
async function runPrint(ctx: CommandContext, options: Options, target: SnippetTarget): Promise<void> {
  const host = options.cn ?? hostname();
  const group = options.group ?? (target === "pgbouncer" ? "server" : "peer");
  const paths = leafPaths(ctx.layout, group, host);
  await requireIssued(
    [ctx.layout.caCert, paths.cert, paths.key],
    `--profile ${group === "peer" ? "peer" : "server"} --cn ${host} --group ${group} --san ${host}`,
  );
  const clientGroup = options.clientGroup ?? "client";
  const client = options.clientCn === undefined ? undefined : leafPaths(ctx.layout, clientGroup, options.clientCn);
  if (client)
    await requireIssued([client.cert, client.key], `--profile client --cn ${options.clientCn} --group ${clientGroup}`);
  if (target === "pgbouncer" && !client) {
    ctx.output.warn(
      "no server_tls_cert_file: pgbouncer presents no certificate to PostgreSQL, so rules that demand cert (as a sandbox's do) refuse it; give --client-cn ROLE for the role pgbouncer logs in as",
    );
  }
  const files = {
    caCert: ctx.layout.caCert,
    cert: paths.cert,
    key: paths.key,
    ...(client ? { clientCert: client.cert, clientKey: client.key } : {}),
  };
  const snippet = renderTlsSnippet(target, host, files);
  if (ctx.output.format === "json") ctx.output.json(tlsJson({ via: "print", snippet: { target, text: snippet } }));
  else ctx.output.data(snippet);
}

/** `--conn`: a running server reached as a superuser; files where data_directory is, settings through ALTER SYSTEM. */
async function runConn(ctx: CommandContext, options: Options, url: string): Promise<void> {
  const ca = await loadSigningCa(ctx, false);
  const crlPem = await checkedCrl(ctx, ca);
  const client = await connectSuperuser(url, connectOptions(ctx));
  try {
    const facts = await serverFacts(client);
    if (!(await readPostmasterPid(facts.dataDirectory))) {
      throw usageError(
        "not-local",
        `the server's data directory ${facts.dataDirectory} is not on this machine (or not readable here): run pgwarden on the database host`,
      );
    }
    const request = await keepingInstalledNames(ctx, ca, serverRequest(options), facts.dataDirectory);
    const planOptions = { pgdata: facts.dataDirectory, force: options.force, settingsVia: "alter-system" as const };
    // What would refuse the deployment (a foreign certificate in the PKI or PGDATA, a key PostgreSQL rejects) refuses it before anything is issued.
    const found = await findServerCertificate(ctx.layout, ca, request, ctx.now);
    if (!found.usable && found.foreign && !options.force) throw foreignCertificateError(found);
    await checkInstalledCertificate(facts.dataDirectory, ctx.layout, found.usable?.certPem, options.force ?? false);
    if (!options.dryRun) await planTls({ certPem: "", keyPem: "", caPem: ca.pem, crlPem }, planOptions);
    const server = options.dryRun ? undefined : await ensureServerCertificate(ctx.layout, ca, request, ctx.now);
    const material = server ?? found.usable ?? { certPem: "", keyPem: "" };
    const { plan, writes } = await planTls(
      { certPem: material.certPem, keyPem: material.keyPem, caPem: ca.pem, crlPem },
      planOptions,
    );
    const settingsChanged = await alterSystem(client, plan.settings, options.dryRun ?? false);
    if (options.dryRun) {
      const lines = settingsChanged.map((name) => `  would ALTER SYSTEM SET ${name} = '${plan.settings[name]}'`);
      const dry = {
        via: "conn",
        dryRun: true,
        dataDirectory: facts.dataDirectory,
        plan,
        alterSystem: settingsChanged,
      } as const;
      if (ctx.output.format === "json") ctx.output.json(tlsJson(dry));
      else
        ctx.output.data(
          `${planText(plan, true)}\n${lines.length ? lines.join("\n") : "  settings already as wanted"}\nwould reload the server (pg_reload_conf()) and check the certificate it serves`,
        );
      return;
    }
    await applyTls(plan, writes, ctx.now);
    const changed = plan.changed || settingsChanged.length > 0;
    if (changed) await reloadConf(client);
    const certPem = (server as { certPem: string }).certPem;
    const servername = verifyName(request);
    const served = await checkServed(facts.dataDirectory, certPem, ca.pem, undefined, undefined, servername);
    const result = {
      dataDirectory: facts.dataDirectory,
      alterSystem: settingsChanged,
      plan,
      reloaded: changed,
      served,
    };
    if (ctx.output.format === "json")
      ctx.output.json(tlsJson({ via: "conn", ...result, certificate: certificateJson(server as ServerCertificate) }));
    else
      ctx.output.data(
        `${planText(plan, false)}\n${settingsChanged.length ? `ALTER SYSTEM: ${settingsChanged.join(", ")}` : "settings already as wanted"}\nserver: ${served.matches ? `serves this certificate (${served.probe?.protocol}, ${served.probe?.cipher})` : "does NOT serve this certificate"}`,
      );
    if (!served.matches) {
      const { errors, logFile } = await configErrors(client);
      const rejection =
        errors[0] ??
        (await reloadRejection(facts.dataDirectory, logFile ? resolve(facts.dataDirectory, logFile) : undefined));
      throw notServedError(served, rejection);
    }
    const certPath = (server as { certPath: string }).certPath;
    requireVerified(
      served,
      servername,
      () => `pgwarden cert verify ${certPath} --purpose server --host ${servername} says why`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function run(ctx: CommandContext, options: Options): Promise<void> {
  const modes = [options.pgdata, options.conn, options.print].filter((mode) => mode !== undefined).length;
  if (modes !== 1)
    throw usageError(
      "pg-tls-mode",
      "give exactly one of --pgdata DIR (a cluster on this machine), --conn URL (a running server, as a superuser) or --print pgbouncer|patroni|etcd",
    );
  if (options.print) return runPrint(ctx, options, options.print);
  if (options.conn) return runConn(ctx, options, options.conn);
  return runPgdata(ctx, options, resolve(options.pgdata as string));
}

async function runPgdata(ctx: CommandContext, options: Options, pgdata: string): Promise<void> {
  const ca = await loadSigningCa(ctx, false);
  const crlPem = await checkedCrl(ctx, ca);
  const request = await keepingInstalledNames(ctx, ca, serverRequest(options), pgdata);
  const planOptions = {
    pgdata,
    configFile: options.configFile ? resolve(options.configFile) : undefined,
    force: options.force,
  };

  // What would refuse the deployment (a foreign certificate in the PKI or PGDATA, no PGDATA, a key PostgreSQL rejects) refuses it before anything is issued.
  const found = await findServerCertificate(ctx.layout, ca, request, ctx.now);
  if (!found.usable && found.foreign && !options.force) throw foreignCertificateError(found);
  await checkInstalledCertificate(pgdata, ctx.layout, found.usable?.certPem, options.force ?? false);
  if (options.dryRun) {
    // A certificate still to be issued: plan against empty content, which differs from any file.
    const material: ServerTlsMaterial = found.usable
      ? { certPem: found.usable.certPem, keyPem: found.usable.keyPem, caPem: ca.pem, crlPem }
      : { certPem: "", keyPem: "", caPem: ca.pem, crlPem };
    const { plan } = await planTls(material, planOptions);
    const action = found.existing ? `reissue ${found.paths.cert} (${found.reason})` : `issue ${found.paths.cert}`;
    const certLine = found.usable
      ? `server certificate: ${found.usable.certPath} (kept)`
      : `server certificate: would ${action} for ${found.options.subjectAltNames.join(", ")}`;
    if (ctx.output.format === "json") {
      const action = found.usable ? "kept" : found.existing ? "reissue" : "issue";
      const certificate = { path: found.paths.cert, action, reason: found.reason ?? null, backups: [] };
      ctx.output.json(tlsJson({ via: "pgdata", dryRun: true, dataDirectory: pgdata, certificate, plan }));
    } else
      ctx.output.data(
        `${certLine}\n${planText(plan, true)}${options.reload ? "\nwould reload the server (pg_ctl reload) and check the certificate it serves" : ""}`,
      );
    return;
  }

  await planTls({ certPem: "", keyPem: "", caPem: ca.pem, crlPem }, planOptions);
  const server = await ensureServerCertificate(ctx.layout, ca, request, ctx.now);
  const { plan, writes } = await planTls(
    { certPem: server.certPem, keyPem: server.keyPem, caPem: ca.pem, crlPem },
    planOptions,
  );
  const written = await applyTls(plan, writes, ctx.now);
  server.backups?.forEach((backup) =>
    ctx.output.info(`pgwarden: kept the previous ${backup.replace(/\.[^.]+\.bak$/, "")} as ${backup}`),
  );
  plan.overridden.forEach((name) =>
    ctx.output.warn(
      `postgresql.auto.conf sets ${name} (ALTER SYSTEM), which overrides pgwarden.conf: run ALTER SYSTEM RESET ${name}`,
    ),
  );
  written
    .filter((file) => file.backup)
    .forEach((file) => ctx.output.info(`pgwarden: kept the previous ${file.path} as ${file.backup}`));
  // Reload when something changed, or when the server does not serve what is installed (an earlier reload failed).
  const servername = verifyName(request);
  const needsReload =
    options.reload === true &&
    (plan.changed || (await checkServed(pgdata, server.certPem, ca.pem, undefined, 0, servername)).matches === false);
  if (needsReload) await reloadServer(findServerBinaries(options.pgBin).dir, pgdata, plan.owner);
  const served = await checkServed(pgdata, server.certPem, ca.pem, undefined, undefined, servername);
  const done = {
    via: "pgdata",
    dataDirectory: pgdata,
    certificate: certificateJson(server),
    plan,
    reloaded: needsReload,
    served,
  } as const;
  if (ctx.output.format === "json") ctx.output.json(tlsJson(done));
  else {
    const servedLine = !served.running
      ? "server: not running; the new settings take effect when it starts"
      : served.matches
        ? `server: serves this certificate (${served.probe?.protocol}, ${served.probe?.cipher}, verified: ${served.probe?.verified ? "yes" : `no, ${served.probe?.verifyError}`})`
        : plan.changed && !options.reload
          ? "server: still serves the previous certificate: reload it (pgwarden pg tls --reload, or pg_ctl reload)"
          : `server: does NOT serve this certificate`;
    ctx.output.data(
      `server certificate: ${server.certPath} (${server.action}${server.reason ? `: ${server.reason}` : ""})\n${plan.changed ? "" : "nothing to change\n"}${planText(plan, false)}\n${servedLine}`,
    );
  }
  // Without --reload a changed plan is not served yet: the handshake saw the old setup, which says nothing of the new one.
  if (served.matches || options.reload || !plan.changed) {
    requireVerified(served, servername, () =>
      plan.overridden.length > 0
        ? `postgresql.auto.conf (ALTER SYSTEM) overrides ${plan.overridden.join(", ")}: run ALTER SYSTEM RESET for each, then pgwarden pg tls --reload`
        : served.matches
          ? `pgwarden cert verify ${server.certPath} --purpose server --host ${servername} says why`
          : "another setting points the server elsewhere: SELECT name, setting, sourcefile FROM pg_settings WHERE name LIKE 'ssl%' shows which",
    );
  }
  if (served.running && !served.matches && (options.reload || !plan.changed)) {
    const keyInfo = await stat(join(pgdata, TLS_FILES.key)).catch(() => undefined);
    const keyProblem = keyInfo ? serverKeyProblem(keyInfo, plan.owner.uid) : undefined;
    throw notServedError(
      served,
      await reloadRejection(pgdata, options.log),
      keyProblem ? `${TLS_FILES.key}: ${keyProblem}` : undefined,
    );
  }
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
          "replace a symbolic link in PGDATA (the link itself kept as .bak)",
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
name asked for (the handshake's "verified: no"). Without --san the certificate names the CN, localhost, 127.0.0.1 and ::1.
An existing <pki>/<group>/<cn>.crt that lacks a requested name (or has under 30 days left) is re-issued with every name it
had plus the new ones (a VIP or alias is never dropped; to drop a name, move the old certificate away first), its old
certificate and key kept as .bak (the key's copy 0600); one pgwarden did not make for this server (not signed by this CA,
not in its inventory, not a server certificate, or its key missing or not its own) is refused unless --force, and so is
a server.crt in PGDATA that pgwarden did not make (installed by hand): --force replaces it, kept as .bak. The CA's CRL,
<pki>/crl/ca.crl, is installed only if it is signed by the CA, parseable and current (thisUpdate not ahead, nextUpdate not
past): otherwise nothing is issued, written or reloaded. With --conn, for a
running server reached as a superuser, the files go where data_directory is and the settings through ALTER
SYSTEM and pg_reload_conf(). The server.crt PGDATA holds (signed by this CA) is never replaced by one with fewer names:
the new certificate, whatever its --cn, also names every host the old one answered to (its SANs, and its CN when it has no
DNS SAN), so --cn newname keeps a VIP given earlier with --san; a wildcard it cannot carry over is refused unless --force.
A symbolic link among the files it replaces in PGDATA is refused (exit 2) rather than followed; --force replaces the link
and keeps a copy of the link itself (never of its target) as .bak. Every file it writes there, backups too, is owned by
PGDATA's owner. --print writes the matching TLS lines for pgbouncer, Patroni or etcd.
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
    ],
    exitNotes: [
      "1   the reload did not take: PostgreSQL still serves the previous certificate (its log's reason is quoted)",
      "2   a server certificate pgwarden did not make (in the PKI or PGDATA/server.crt) would be replaced: pass --force",
      "2   a file it would replace in PGDATA is a symbolic link, or the old server.crt has a wildcard name it cannot carry over: pass --force",
      "7   <pki>/crl/ca.crl is expired, not yet valid, signed by another CA, unreadable or not a CRL (nothing was changed);",
      '    or the certificate served after the run does not verify against the CA ("verified: no")',
    ],
  });
}
