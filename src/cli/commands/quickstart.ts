import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { QUICKSTART_ROLE, runQuickstart, type QuickstartResult } from "../../quickstart/quickstart.js";
import { contextOf } from "../context.js";
import { describe } from "../help.js";
import { keyValueLines } from "../render.js";

/** Default working directory: stable, so running quickstart again reuses what it made. */
export function defaultQuickstartDir(env: NodeJS.ProcessEnv): string {
  return env.PGWARDEN_QUICKSTART_DIR ?? join(tmpdir(), "pgwarden-quickstart");
}

function quickstartText(result: QuickstartResult): string {
  const { ca, sandbox, client, session } = result;
  const served = sandbox.served.probe;
  return [
    `pgwarden quickstart in ${result.dir}`,
    "",
    `CA (${ca.action}): ${result.layout.caCert}`,
    `  ${ca.info.subject}, ${ca.info.keyType}, until ${ca.info.notAfter} (${ca.info.daysLeft} days), sha256 ${ca.info.fingerprintSha256}`,
    `sandbox (${sandbox.action}): PostgreSQL on 127.0.0.1:${sandbox.state.port}, data in ${sandbox.state.pgdata}`,
    `  server certificate (${sandbox.serverCertificate.action}): ${sandbox.serverCertificate.certPath}`,
    `  pg_hba: the OS superuser over the socket, client certificates over TLS, nothing else`,
    `role ${result.role.name} (${result.role.action})`,
    `client certificate (${client.action}): ${client.certPath}`,
    `  key ${client.keyPath} (0600), serial ${client.info.serial}`,
    "",
    "Connected with node-postgres, sslmode=verify-full, logged in by the client certificate:",
    keyValueLines([
      ["  current_user", session.currentUser],
      ["  TLS (pg_stat_ssl)", `${session.version}, ${session.cipher}`],
      ["  client DN", session.clientDn],
      ["  server certificate", served ? `${served.subject}, verified against the CA, until ${served.notAfter?.toISOString()}` : undefined],
      ["  client certificate", `until ${client.info.notAfter} (${client.info.daysLeft} days)`],
    ]),
    "",
    "Connect yourself:",
    `  ${result.psql}`,
    `Stop the sandbox: pgwarden sandbox down --dir ${sandbox.state.dir}`,
  ].join("\n");
}

export function quickstartCommand(): Command {
  const command = new Command("quickstart")
    .addOption(new Option("--dir <dir>", "where to work (env PGWARDEN_QUICKSTART_DIR, default $TMPDIR/pgwarden-quickstart)"))
    .addOption(new Option("--role <name>", "the database role to create and log in as").default(QUICKSTART_ROLE))
    .addOption(new Option("--pg-bin <dir>", "PostgreSQL's server programs (default: found on this machine)"))
    .action(async (options: { dir?: string; role: string; pgBin?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dir = resolve(options.dir ?? defaultQuickstartDir(ctx.env));
      const result = await runQuickstart({ dir, role: options.role, pgBin: options.pgBin, passphrase: await ctx.passphrase(), now: ctx.now });
      if (ctx.output.format === "json") {
        const { sandbox, ...rest } = result;
        ctx.output.json({ ...rest, sandbox: { action: sandbox.action, state: sandbox.state, serverCertificate: sandbox.serverCertificate.certPath } });
      } else ctx.output.data(quickstartText(result));
    });
  return describe(command, {
    summary: "the main job end to end: CA, secured sandbox, role, client certificate, proven connection",
    description: `The main job, end to end: create a CA (or adopt the one in --dir), start a PostgreSQL sandbox on
127.0.0.1 secured from its first start, create the role dbuser_dba and its client certificate, connect with
node-postgres using sslmode=verify-full and that certificate, and print what the server says about the
session (current_user, TLS version and cipher from pg_stat_ssl), the certificates' expiry, and a psql line to
paste. Running it again keeps what exists.`,
    examples: ["pgwarden quickstart", "pgwarden quickstart --dir /tmp/demo", "pgwarden quickstart --format json"],
  });
}
