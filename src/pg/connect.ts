import pg from "pg";

import { ExitCode, notFoundError, PgwardenError } from "../core/errors.js";
import { CONNECT_TIMEOUT_MS, connectClient, connectFailure } from "./connect-client.js";
import { openConnection } from "./conninfo/open.js";
import { resolveConnection } from "./conninfo/resolve.js";

/** A TLS login with `sslmode=verify-full` semantics: the chain must reach `ca` and the certificate must name `host`. */
export interface VerifiedLogin {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database?: string;
  /** PEM of the CA the server's certificate must chain to. */
  readonly ca: string;
  /** The client certificate and key (PEM) for cert authentication. */
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
  /** Kept in memory only: never in a URL, argv or a message. SCRAM with channel binding when offered. */
  readonly password?: string;
}

/**
 * Opens a verify-full node-postgres connection; a failure is a connection error (exit 5)
 * saying who logged in where and with what (`credential`), never the password itself.
 */
export async function connectVerified(login: VerifiedLogin, credential: string): Promise<pg.Client> {
  return openClient(
    {
      host: login.host,
      port: login.port,
      user: login.user,
      database: login.database ?? "postgres",
      ...(login.password === undefined ? {} : { password: login.password, enableChannelBinding: true }),
      ssl: { ca: login.ca, ...login.clientCertificate, rejectUnauthorized: true, servername: login.host },
    },
    `cannot log in to ${login.host}:${login.port} as ${login.user} with ${credential}`,
  );
}

export { type ConnectionFacts, connectionFacts } from "./conninfo/open.js";

export interface ConnectOptions {
  /** Where libpq's warnings go (a passfile others may read): the library never prints, the CLI shows them. */
  readonly warn: (text: string) => void;
  /** CA certificate files to name when the server's certificate does not verify and one of them would work (the PKI's CA). */
  readonly candidateRoots?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Connects as psql would with the connection string `conn` (a URL, keyword=value pairs, or
 * nothing): the service file, PG* variables, ~/.pgpass and libpq's defaults fill the rest, and
 * sslmode means exactly what it means to libpq 15. The password comes from PGPASSWORD, a
 * service file or the passfile, never from argv. Bad input is exit 2, a failed connection exit 5.
 */
export async function connectSuperuser(conn: string | undefined, options: ConnectOptions): Promise<pg.Client> {
  const connection = resolveConnection(conn, { env: options.env ?? process.env, source: "--conn" });
  for (const warning of connection.warnings) options.warn(warning);
  return openConnection(
    connection,
    conn === undefined
      ? "cannot connect (PG* environment and libpq defaults, no --conn)"
      : "cannot connect with --conn",
    options,
  );
}

/** A connected client, or a connection error (exit 5) that starts with `failure`. */
async function openClient(config: pg.ClientConfig, failure: string): Promise<pg.Client> {
  let client: pg.Client;
  try {
    // node-postgres reads the URL's sslrootcert, sslcert and sslkey here; --conn checked them, but they may have gone since.
    client = new pg.Client({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    if (code === "ENOENT" || code === "ENOTDIR")
      throw notFoundError("conn-file-missing", `${failure}: ${path ?? "a file it names"} does not exist`);
    throw error;
  }
  try {
    await connectClient(client);
  } catch (error) {
    throw new PgwardenError("connect-failed", `${failure}: ${connectFailure(error as Error)}`, ExitCode.connection, {
      cause: error,
    });
  }
  return client;
}
