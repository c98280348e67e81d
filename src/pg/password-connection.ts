import { readFile } from "node:fs/promises";
import pg from "pg";
import { ExitCode, PgwardenError } from "../errors.js";
import { CONNECT_TIMEOUT_MS, connectClient } from "./connect.js";

/** Where to reach a server and the role that logs in with its password (SCRAM over TLS). */
export interface PasswordLogin {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database?: string;
  readonly caCertPath: string;
  /** Kept in memory only: never in a URL, argv or a message. */
  readonly password: string;
}

/**
 * A node-postgres connection with `sslmode=verify-full` semantics that logs in with a
 * password: SCRAM-SHA-256 with channel binding (SCRAM-SHA-256-PLUS) when the server offers
 * it, so the password exchange is tied to this very TLS session.
 */
export async function connectWithPassword(login: PasswordLogin): Promise<pg.Client> {
  const ca = await readFile(login.caCertPath, "utf8");
  const client = new pg.Client({
    host: login.host,
    port: login.port,
    user: login.user,
    database: login.database ?? "postgres",
    password: login.password,
    ssl: { ca, rejectUnauthorized: true, servername: login.host },
    enableChannelBinding: true,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  try {
    await connectClient(client);
  } catch (error) {
    throw new PgwardenError("connect-failed", `cannot log in to ${login.host}:${login.port} as ${login.user} with its password: ${(error as Error).message}`, ExitCode.connection, { cause: error });
  }
  return client;
}
