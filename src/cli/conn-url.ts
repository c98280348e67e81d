import { statSync } from "node:fs";
import { Option } from "commander";
import pg from "pg";
import { notFoundError, usageError } from "../errors.js";
import { connectSuperuser } from "../pg/connect.js";

/** What node-postgres reads as a connection: a postgres(ql):// URL or a socket directory (not libpq's keyword=value form). */
const CONNECTION_FORMS = /^(postgres(ql)?:\/\/|\/)/;

/** The port written in a URL's authority (`host:PORT`), to name it when it is out of range. */
const URL_PORT = /^postgres(?:ql)?:\/\/[^/?#]*:(\d+)(?=[/?#]|$)/;

/** URL parameters that name files node-postgres reads as soon as it sees the URL. */
const FILE_PARAMETERS = ["sslrootcert", "sslcert", "sslkey"] as const;

const MAX_PORT = 65535;

/** The URL as node-postgres reads it (it retries `user@/db` with a made-up host), or undefined when it cannot be read. */
function parseUrl(conn: string): URL | undefined {
  for (const candidate of [conn, conn.replace("@/", "@___DUMMY___/")]) {
    try {
      return new URL(candidate);
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

function badPort(port: string, fromEnv = false): Error {
  return usageError("bad-port", `--conn port ${port}${fromEnv ? " (from PGPORT)" : ""} is not a TCP port: give one from 1 to ${MAX_PORT}`);
}

/** Each sslrootcert/sslcert/sslkey file the URL names must be there: node-postgres reads them while it parses the URL. */
function checkNamedFiles(url: URL): void {
  for (const name of FILE_PARAMETERS) {
    const path = url.searchParams.get(name);
    if (path === null || path === "") continue;
    if (path.includes("\0")) throw usageError("bad-conn", `--conn names ${name} with a NUL byte (%00) in it: give the path of the file`);
    let isFile: boolean;
    try {
      isFile = !statSync(path).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") throw notFoundError("conn-file-missing", `--conn names ${name}=${path}, which does not exist: give the path of the file`);
      throw error;
    }
    if (!isFile) throw usageError("conn-file-is-directory", `--conn names ${name}=${path}, which is a directory: give the path of the file`);
  }
}

/**
 * A `--conn` must be a connection URL (or socket directory) that node-postgres reads as
 * meant, and may name the user, never the password: argv is visible to every user of the
 * machine (ps, /proc) and lands in shell history. The password comes from PGPASSWORD or
 * ~/.pgpass. Its port must be one (1 to 65535) and the files it names must exist.
 * {@link connOption} checks it as argv is parsed, so bad input costs nothing.
 */
export function checkConn(conn: string): void {
  if (!CONNECTION_FORMS.test(conn.trim())) {
    // node-postgres would read "host=... " as a database name on a host called "base".
    throw usageError("bad-conn", `--conn ${JSON.stringify(conn)} is not a connection URL: give postgresql://USER@HOST:PORT/DB (keyword=value strings are not read here)`);
  }
  if (conn.startsWith("/")) return; // A socket directory: no password, port or files in it.
  const url = parseUrl(conn);
  if (url === undefined) {
    const port = URL_PORT.exec(conn)?.[1];
    if (port !== undefined && Number(port) > MAX_PORT) throw badPort(port);
    // Not echoed: a URL that does not parse may still hold a password.
    throw usageError("bad-conn", "--conn is not a valid URL: check the host, the port (1 to 65535) and any %-escapes (postgresql://USER@HOST:PORT/DB)");
  }
  if (url.password !== "" || url.searchParams.has("password")) throw usageError("password-in-argv", "--conn must not contain a password: set PGPASSWORD or use ~/.pgpass");
  checkNamedFiles(url);
  // node-postgres's own reading of it, with PGPORT and its defaults, as it will connect (nothing connects here).
  let port: number;
  try {
    port = new pg.Client({ connectionString: conn }).port;
  } catch (error) {
    // A file it could not read (EACCES) is the environment's; anything else is the URL's content.
    if ((error as NodeJS.ErrnoException).code !== undefined) throw error;
    throw usageError("bad-conn", `--conn is refused by node-postgres: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!Number.isInteger(port) || port < 1 || port > MAX_PORT) {
    const fromUrl = url.searchParams.get("port") ?? (url.port || undefined);
    throw badPort(fromUrl ?? String(process.env.PGPORT), fromUrl === undefined);
  }
}

/** `--conn <url>`, checked by {@link checkConn} while argv is parsed: before any file is read or any connection made. */
export const connOption = (help: string) =>
  new Option("--conn <url>", help).argParser((value: string) => {
    checkConn(value);
    return value;
  });

/** Runs `work` on a superuser connection to `--conn` (exit 5 when it cannot connect), closing it after. */
export async function withConnection<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectSuperuser(url);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
