import { Command, Option } from "commander";

import { ExitCode } from "../../../core/errors.js";
import { type SessionStatus, tlsSessionStatus } from "../../../pg/sessions/revoked-sessions.js";
import { CONN_FORMS_HELP, connOption, withConnection } from "../../conn-url.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { describe } from "../../help.js";
import { table } from "../../render.js";

interface Options {
  conn?: string;
  revoked?: boolean;
  terminate?: boolean;
}

function sessionJson(session: SessionStatus) {
  return {
    pid: session.pid,
    user: session.user,
    database: session.database,
    clientAddress: session.clientAddress,
    tlsVersion: session.tlsVersion,
    clientDn: session.clientDn,
    clientSerial: session.clientSerial,
    issuerDn: session.issuerDn,
    backendStart: session.backendStart,
    own: session.own,
    revoked:
      session.revocation === null
        ? null
        : { reason: session.revocation.reason, revokedAt: session.revocation.revokedAt },
    ...(session.terminated === undefined ? {} : { terminated: session.terminated }),
  };
}

export function pgSessionsCommand(): Command {
  const command = new Command("sessions")
    .addOption(connOption(`the server to connect to: ${CONN_FORMS_HELP}; without --conn, as psql with no arguments`))
    .addOption(
      new Option("--revoked", "only sessions whose client certificate this PKI revoked; exit 1 when there are any"),
    )
    .addOption(
      new Option("--terminate", "end the sessions on revoked certificates (pg_terminate_backend); implies --revoked"),
    )
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const revokedOnly = Boolean(options.revoked ?? options.terminate);
      // The PKI is needed to tell revoked certificates; a plain listing works without one.
      const layout = revokedOnly
        ? ctx.layout
        : await Promise.resolve()
            .then(() => ctx.layout)
            .catch(() => undefined);
      const sessions = await withConnection(
        options.conn,
        (client) => tlsSessionStatus(client, layout, { revokedOnly, terminate: options.terminate ?? false }),
        ctx,
      );
      const open = sessions.filter((session) => session.revocation !== null && session.terminated !== true);
      for (const session of sessions)
        if (session.terminated === false)
          ctx.output.warn(
            `session ${session.pid} (${session.user ?? "?"}) on a revoked certificate was not ended${session.own ? ": it is pgwarden's own connection" : ""}`,
          );
      if (ctx.output.format === "json") ctx.output.json({ sessions: sessions.map(sessionJson) });
      else if (sessions.length > 0)
        ctx.output.data(
          table(
            [
              "PID",
              "USER",
              "DATABASE",
              "CLIENT",
              "TLS",
              "CLIENT DN",
              "CLIENT SERIAL",
              "ISSUER DN",
              "REVOKED",
              ...(options.terminate ? ["TERMINATED"] : []),
            ],
            sessions.map((session) => [
              String(session.pid),
              session.user ?? "",
              session.database ?? "",
              session.clientAddress ?? "local",
              session.tlsVersion ?? "",
              session.clientDn ?? "",
              session.clientSerial ?? "",
              session.issuerDn ?? "",
              session.revocation === null ? "no" : session.revocation.reason,
              ...(options.terminate ? [session.terminated === true ? "yes" : "no"] : []),
            ]),
          ),
        );
      const terminated = sessions.filter((session) => session.terminated === true).length;
      if (revokedOnly)
        ctx.output.info(
          `pgwarden: ${sessions.length} open session(s) on revoked certificates${options.terminate ? `, ${terminated} terminated` : ""}`,
        );
      if (revokedOnly && open.length > 0) throw new ExitSignal(ExitCode.checkFailed);
    });
  return describe(command, {
    summary: "list open TLS sessions and the client certificates they use; find and end those on revoked ones",
    description: `Lists the server's open TLS sessions from pg_stat_ssl joined with pg_stat_activity: pid, user, database,
client address, TLS version, client certificate DN and serial (hex, as cert list shows serials; PostgreSQL gives it in
decimal) and issuer DN. A CRL stops new logins only: a session opened before the revocation stays open, so --revoked
keeps only the sessions whose client certificate this PKI revoked (serial and issuer both match: the issuer DN is the
subject of the CA the revocation names) and exits 1 when there are any; --terminate ends them with
pg_terminate_backend (the pid as a parameter), waits up to 5 s for each to be gone, reports each, and exits 0 when all
ended. pgwarden's own connection is never ended. Needs a superuser or a member of pg_read_all_stats (other roles'
sessions are hidden from anyone else: refused, exit 6). Connects as pg conninfo does. With --format json:
{"sessions": [{"pid", "user", "clientSerial", "revoked", "terminated", ...}]}.`,
    examples: [
      "pgwarden pg sessions --conn 'host=db1 user=postgres sslmode=verify-full'",
      "pgwarden pg sessions --revoked --conn 'host=db1 user=postgres sslmode=verify-full'   # exit 1 when any",
      "pgwarden pg sessions --terminate --conn 'host=db1 user=postgres sslmode=verify-full'",
    ],
    exitNotes: [
      "1   --revoked: sessions on revoked certificates are open (after --terminate: some could not be ended)",
      "6   the role cannot see other roles' sessions (not a superuser, not in pg_read_all_stats)",
    ],
  });
}
