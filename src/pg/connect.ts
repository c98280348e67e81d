import type { EventEmitter } from "node:events";

import pg from "pg";

import { ExitCode, notFoundError, PgwardenError } from "../errors.js";
import { openConnection } from "./conninfo/open.js";
import { resolveConnection } from "./conninfo/resolve.js";

/** How long a connection attempt may take, TLS and authentication included. */
const CONNECT_TIMEOUT_MS = 10_000;

/** The parts of node-postgres's internal Connection this module listens to, when they are there. */
interface ConnectionInternals extends EventEmitter {
  readonly stream?: EventEmitter;
}

/**
 * `client.connect()`, made to settle. node-postgres (8.x) leaves `connect()` pending for
 * ever when the server ends a TLS connection during the handshake or right after it
 * without an error reaching the client (under TLS 1.3 the server refuses a client
 * certificate after the client thinks the handshake is done, and the alert may be lost):
 * it watches only the plain socket, whose `close` never comes once TLS owns it, and its own
 * timeout timer is unref'd, so Node simply exits mid-connect. This watches the TLS stream
 * for its end, and keeps a timer of its own that holds the process and rejects.
 */
export async function connectClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let watched: EventEmitter | undefined;
  let onClosed: (() => void) | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    onClosed = () =>
      reject(
        new Error(
          "the server closed the connection during TLS setup without saying why (a client certificate it does not trust? its log says)",
        ),
      );
    const connection = (client as unknown as { connection?: ConnectionInternals }).connection;
    connection?.once("sslconnect", () => {
      watched = connection.stream;
      watched?.once("end", onClosed as () => void);
      watched?.once("close", onClosed as () => void);
    });
  });
  stalled.catch(() => undefined);
  let connectError: unknown;
  const connecting = client.connect().catch((error: unknown) => {
    connectError = error;
    throw error;
  });
  connecting.catch(() => undefined);
  try {
    await Promise.race([connecting, stalled]);
  } catch (error) {
    // node-postgres's own error, when one comes just after the stream ended, says more than the stall.
    await new Promise((resolve) => setImmediate(resolve));
    // Not awaited: after a stall node-postgres's end() waits for an event that never comes.
    void client.end().catch(() => undefined);
    throw connectError ?? error;
  } finally {
    clearTimeout(timer);
    if (onClosed) {
      watched?.off("end", onClosed);
      watched?.off("close", onClosed);
    }
  }
}

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

/** node-postgres's words, except where they hide what happened (a password asked for and none given). */
export function connectFailure(error: Error): string {
  if (/client password must be a string|no password supplied/.test(error.message)) {
    return "the server asks for a password (its pg_hba.conf chose a password method for this login) and none was given: set PGPASSWORD or ~/.pgpass, or log in by certificate";
  }
  return error.message;
}
