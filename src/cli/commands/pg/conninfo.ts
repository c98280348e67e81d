import { Command } from "commander";

import { type SessionTls, sessionTls } from "../../../pg/cert-connection.js";
import { type ConnectionFacts, connectionFacts, connectSuperuser } from "../../../pg/connect.js";
import type { ResolvedConnection } from "../../../pg/conninfo/resolve.js";
import { CONN_FORMS_HELP, connectOptions, connOption } from "../../conn-url.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";

interface Options {
  conn?: string;
}

/** What `pg conninfo` reports: psql's \conninfo, the TLS facts, and where the settings came from. Its JSON shape. */
function conninfoJson(facts: ConnectionFacts, session: SessionTls, database: string) {
  const { connection } = facts;
  return {
    database,
    user: session.currentUser,
    host: connection.host,
    address: facts.address ?? null,
    socket: connection.socket,
    port: connection.port,
    sslmode: connection.sslmode,
    ssl: session.ssl,
    protocol: session.version,
    cipher: session.cipher,
    serverCertificate: session.ssl
      ? {
          verified:
            facts.verification === "chain-and-name"
              ? "chain and host name"
              : facts.verification === "chain"
                ? "chain"
                : "no",
          rootCertificate: facts.rootCertificate ?? null,
          subject: facts.serverCertificateSubject ?? null,
        }
      : null,
    clientCertificate:
      session.ssl && facts.clientCertificate ? { file: facts.clientCertificate, dn: session.clientDn } : null,
    passwordFrom: connection.passwordFrom ?? null,
    retriedAfter: facts.retriedAfter ?? null,
    settingsFrom: Object.fromEntries(connection.origins),
  };
}

/** A keyword's value as libpq's keyword=value form writes it: quoted when empty or with spaces, quotes or backslashes. */
const shownValue = (value: string) =>
  value === "" || /[\s'\\]/.test(value) ? `'${value.replace(/['\\]/g, (c) => `\\${c}`)}'` : value;

/** Where each setting came from, on one line: `host=127.0.0.1 (PGHOST), sslmode=require (--conn)`; the rest is libpq's defaults. */
export function settingsLine(settings: ResolvedConnection["settings"]): string {
  const set = [...settings].map(([keyword, { value, origin }]) => `${keyword}=${shownValue(value)} (${origin})`);
  return set.length === 0
    ? "Settings: all libpq's defaults."
    : `Settings: ${set.join(", ")}; the rest libpq's defaults.`;
}

/** psql's \conninfo line (PostgreSQL 15), then its SSL line, then what psql does not say. */
function conninfoText(info: ReturnType<typeof conninfoJson>, settings: ResolvedConnection["settings"]): string {
  const address = info.address !== null && info.address !== info.host ? ` (address "${info.address}")` : "";
  const where = info.socket
    ? `via socket in "${info.host}" at port "${info.port}"`
    : `on host "${info.host}"${address} at port "${info.port}"`;
  const lines = [`You are connected to database "${info.database}" as user "${info.user}" ${where}.`];
  if (info.ssl) lines.push(`SSL connection (protocol: ${info.protocol}, cipher: ${info.cipher}, compression: off)`);
  else lines.push("No SSL: the connection is not encrypted.");
  if (info.serverCertificate) {
    const against = info.serverCertificate.rootCertificate ? ` against ${info.serverCertificate.rootCertificate}` : "";
    lines.push(
      `Server certificate: ${info.serverCertificate.subject ?? "?"}; verified: ${info.serverCertificate.verified}${against} (sslmode=${info.sslmode}).`,
    );
  }
  if (info.clientCertificate)
    lines.push(`Client certificate: ${info.clientCertificate.file} (${info.clientCertificate.dn ?? "no DN"}).`);
  lines.push(settingsLine(settings));
  if (info.passwordFrom) lines.push(`Password from ${info.passwordFrom}.`);
  if (info.retriedAfter)
    lines.push(`First attempt failed (sslmode=${info.sslmode} tried again, as libpq does): ${info.retriedAfter}`);
  return `${lines.join("\n")}\n`;
}

export function pgConninfoCommand(): Command {
  const command = new Command("conninfo")
    .addOption(connOption(`the server to connect to: ${CONN_FORMS_HELP}; without --conn, as psql with no arguments`))
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const client = await connectSuperuser(options.conn, connectOptions(ctx));
      try {
        const session = await sessionTls(client);
        const database = (await client.query<{ db: string }>("SELECT current_database() AS db")).rows[0]?.db ?? "";
        const facts = connectionFacts(client) as ConnectionFacts;
        const info = conninfoJson(facts, session, database);
        if (ctx.output.format === "json") ctx.output.json(info);
        else ctx.output.data(conninfoText(info, facts.connection.settings));
      } finally {
        await client.end().catch(() => undefined);
      }
    });
  return describe(command, {
    summary: "connect as psql would and say how: \\conninfo plus TLS, certificates and where each setting came from",
    description: `Connect the way every pgwarden command connects, which is the way psql connects: --conn is a URL or
keyword=value pairs, PGSERVICE, the PG* variables, ~/.pgpass and libpq's defaults fill the rest, and sslmode means
what it means to libpq (require verifies the chain when ~/.postgresql/root.crt exists; prefer falls back to no TLS).
Prints what psql's \\conninfo prints, then the TLS protocol and cipher, whether and against which root certificate the
server's certificate was verified, the client certificate sent (and the DN the server saw), where the password came
from (never the password) and, on one line, where each setting came from: host=127.0.0.1 (PGHOST), sslmode=require
(--conn), the rest libpq's defaults. Files named by the connection are read as libpq 15 reads them: a missing
sslrootcert means no verification below verify-ca, a missing sslcert no client certificate, a missing or unparsable
sslcrl no revocation check; a client key may be 0640 when root owns it, 0600 otherwise. channel_binding=require
(PGCHANNELBINDING) takes only a SCRAM-SHA-256-PLUS login over TLS and refuses trust, cert and md5 logins in libpq's words,
before any password is sent. When the server's certificate does not verify, the error says which sslrootcert would
work (the PKI's CA when the certificate chains to it), or which CRL revoked it.`,
    examples: [
      "pgwarden pg conninfo --conn 'host=db1 user=postgres sslmode=verify-full sslrootcert=pki/ca/ca.crt'",
      "PGHOST=127.0.0.1 PGSSLMODE=require pgwarden pg conninfo --format json",
      "PGPASSWORD=... pgwarden pg conninfo --conn 'host=db1 user=app sslmode=verify-full channel_binding=require'",
      "pgwarden pg conninfo --conn postgresql://postgres@%2Fvar%2Frun%2Fpostgresql/postgres",
    ],
  });
}
