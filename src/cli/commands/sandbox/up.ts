import { Command, Option } from "commander";

import { ExitCode } from "../../../core/errors.js";
import { assertSandboxDir, sandboxUp } from "../../../pg/sandbox.js";
import { initCa } from "../../../pki/authority/ca-init.js";
import type { CertificateAuthority } from "../../../pki/authority/certificate-authority.js";
import { issuerNameFor, loadIssuerFor } from "../../../pki/authority/issuer-loader.js";
import { ROOT_ISSUER } from "../../../pki/authority/issuers.js";
import type { PkiLayout } from "../../../pki/pki-layout.js";
import { shellWord } from "../../../pki/trust/conninfo.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { portOption } from "../../flags.js";
import { describe } from "../../help.js";
import { servedJson } from "../../json-view.js";
import { programWord } from "../../program-word.js";
import { keyValueLines } from "../../render.js";
import { defaultSandboxDir, SANDBOX_PKI_HELP, sandboxDirOption, sandboxLayout } from "./common.js";

export function sandboxUpCommand(): Command {
  const command = new Command("up")
    .addOption(sandboxDirOption())
    .addOption(portOption("TCP port on 127.0.0.1 (default: a free one)"))
    .addOption(
      new Option(
        "--pg-bin <dir>",
        "PostgreSQL server programs (default: pg_config --bindir, PATH, /usr/lib/postgresql/*/bin)",
      ),
    )
    .addOption(
      new Option(
        "--force",
        "install the client intermediate's ssl_ca_file even though client certificates the sandbox accepts now would be locked out",
      ),
    )
    .action(async (options: { dir?: string; port?: number; pgBin?: string; force?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { port } = options;
      const dir = options.dir ?? defaultSandboxDir(ctx.env);
      // Before the CA is made: a refused directory leaves nothing written.
      await assertSandboxDir(dir);
      const layout = await sandboxLayout(cmd, ctx, dir);
      const init = await initCa(layout, { passphrase: await ctx.passphrase(), now: ctx.now });
      if (init.action === "created") ctx.output.info(`pgwarden: created a CA in ${layout.caDir}`);
      // With intermediates, the server certificate comes from "server" and the superuser's from "client".
      const issuers = await sandboxIssuers(layout, init.ca, await ctx.passphrase(), ctx.now);
      const result = await sandboxUp(layout, issuers.server, {
        dir,
        port,
        pgBin: options.pgBin,
        now: ctx.now,
        clientCa: issuers.client,
        force: options.force ?? false,
      });
      const { state, served } = result;
      if (ctx.output.format === "json")
        ctx.output.json({
          state,
          action: result.action,
          serverCertificate: { certPath: result.serverCertificate.certPath, action: result.serverCertificate.action },
          served: servedJson(served),
        });
      else {
        ctx.output.data(
          keyValueLines([
            ["sandbox", `${state.dir} (${result.action})`],
            ["listening", `127.0.0.1:${state.port} (TLS only, client certificates), socket ${state.socketDir}`],
            ["superuser", `${state.superuser} (peer over the socket as OS user ${state.osUser})`],
            ["server certificate", `${result.serverCertificate.certPath} (${result.serverCertificate.action})`],
            [
              "TLS",
              served.probe
                ? `${served.probe.protocol}, ${served.probe.cipher}, serving ${served.probe.subject} until ${served.probe.notAfter?.toISOString()}`
                : "not checked",
            ],
            ["log", state.logFile],
            ["stop it", `${programWord()} sandbox down --dir ${shellWord(state.dir)}`],
          ]),
        );
      }
      if (!served.matches) throw new ExitSignal(ExitCode.checkFailed);
    });
  return describe(command, {
    summary: "start a throwaway PostgreSQL on loopback, TLS and certificate logins from the start",
    description: `Start a throwaway PostgreSQL on 127.0.0.1, secured from its first start: initdb with data checksums
and SCRAM, a server certificate from the pgwarden CA (created when missing) for localhost, 127.0.0.1, ::1 and
this host's name, ssl on with TLS 1.2 at least (with intermediates: the server certificate from "server",
the superuser's from "client", and ssl_ca_file the client issuer's anchor, so only "client" certificates log in;
during a CA rotation ssl_ca_file holds the old and the new, and run again it deploys that and reloads;
after ca init --intermediates on its PKI, run again it re-issues its own superuser's certificate from "client" and
refuses (exit 7, listing the first 10 and the count) to install the client anchor while other client certificates
pgwarden recorded, valid and unrevoked, would be locked out: pgwarden cert renew --all --group client --issuer client
first, or --force to lock them out),
and pg_hba allowing only the OS superuser over the socket and
client certificates over TLS. Run as root, the server runs as the postgres account. Running it again starts
a stopped sandbox or leaves a running one alone; two sandboxes need two --dir. --dir must be new, empty or
a sandbox already: a directory holding other files is refused (exit 2), so sandbox down --purge never has to
tell your files from the sandbox's. A new sandbox takes --pki (or PGWARDEN_PKI, or ./pki). ${SANDBOX_PKI_HELP}`,
    examples: [
      "pgwarden sandbox up",
      "pgwarden sandbox up --dir /tmp/sb2 --port 55432 --pki /srv/pgwarden/pki",
      "pgwarden sandbox up --dir /tmp/sb2   # again, from any directory: the PKI recorded in /tmp/sb2/sandbox.json",
      "pgwarden sandbox up --pg-bin /usr/lib/postgresql/16/bin",
      "pgwarden ca rotate --pki ./pki && pgwarden sandbox up   # the running sandbox trusts the old and the new root",
      "pgwarden ca init --intermediates && pgwarden cert renew --all --group client --issuer client && pgwarden sandbox up",
    ],
  });
}

/** The issuers of the sandbox's server and superuser certificates: the intermediates named so when present, else the root. */
async function sandboxIssuers(
  layout: PkiLayout,
  root: CertificateAuthority,
  passphrase: string | undefined,
  now: Date,
): Promise<{ server: CertificateAuthority; client: CertificateAuthority }> {
  const load = async (profile: "server" | "client") =>
    (await issuerNameFor(layout, profile)) === ROOT_ISSUER ? root : loadIssuerFor(layout, profile, { passphrase, now });
  return { server: await load("server"), client: await load("client") };
}
