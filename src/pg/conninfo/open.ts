import { readFileSync } from "node:fs";
import type { PeerCertificate, TLSSocket } from "node:tls";

import pg from "pg";

import { ExitCode, PgwardenError } from "../../core/errors.js";
import { libpqHostNameMatch } from "../../pki/names/host-name.js";
import { certificateFacts } from "../../pki/verify/certificate-facts.js";
import { connectClient, connectFailure } from "../connect-client.js";
import { probeTls } from "../tls-probe.js";
import { requireChannelBinding } from "./channel-binding.js";
import type { ResolvedConnection } from "./resolve.js";
import { type TlsMaterial, tlsMaterial, TlsSetupError, type Verification } from "./tls-material.js";

/** What a connection opened by {@link openConnection} turned out to be: for `pg conninfo` and messages. */
export interface ConnectionFacts {
  readonly connection: ResolvedConnection;
  readonly tls: boolean;
  /** The server's address the TCP connection reached (a host name may have several). */
  readonly address?: string;
  readonly protocol?: string;
  readonly cipher?: string;
  /** How the server certificate was checked, and against which root certificate file. */
  readonly verification?: Verification;
  readonly rootCertificate?: string;
  readonly serverCertificateSubject?: string;
  /** The client certificate file sent, when one was. */
  readonly clientCertificate?: string;
  /** Why the first attempt failed, when sslmode allow/prefer tried again as libpq does. */
  readonly retriedAfter?: string;
}

const FACTS = new WeakMap<pg.Client, ConnectionFacts>();

export function connectionFacts(client: pg.Client): ConnectionFacts | undefined {
  return FACTS.get(client);
}

/** libpq's minimum connect_timeout, in seconds: smaller values are raised to it. */
const MIN_CONNECT_TIMEOUT_SECONDS = 2;

/** Errors from the network itself, after which libpq does not try again with another sslmode. */
const NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ENOENT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EACCES",
]);

/** The server answered (an ErrorResponse during startup): what makes sslmode=allow try TLS next. */
const isServerError = (error: unknown) =>
  error instanceof Error && typeof (error as { severity?: unknown }).severity === "string";

const isNetworkError = (error: unknown) =>
  NETWORK_ERRORS.has((error as NodeJS.ErrnoException).code ?? "") ||
  /no answer within/.test(String((error as Error).message));

/** node-postgres's words when the server answered the SSLRequest with N (ssl = off). */
const NO_TLS_ON_SERVER = /does not support SSL/;

/** Node's and OpenSSL's codes for a server certificate that did not verify. */
const VERIFY_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|ALTNAME|CRL/;

/** The attempts libpq makes for an sslmode, in order; the second only when the first failed as libpq retries. */
function attemptsFor(connection: ResolvedConnection): Array<"plain" | "tls"> {
  // libpq never asks for TLS over a Unix socket, whatever sslmode says.
  if (connection.socket) return ["plain"];
  switch (connection.sslmode) {
    case "disable":
      return ["plain"];
    case "allow":
      return ["plain", "tls"];
    case "prefer":
      return ["tls", "plain"];
    default:
      return ["tls"];
  }
}

/** The client itself gave up during authentication (no password, a SCRAM failure): libpq tries no other sslmode then. */
const isClientAuthError = (error: unknown) =>
  /no password supplied|SASL|SCRAM|channel binding/i.test(String((error as Error).message));

/** Whether libpq tries the second attempt after `error` on the first: allow after the server refused, prefer after TLS failed or was refused. */
function retries(connection: ResolvedConnection, error: unknown): boolean {
  if (connection.sslmode === "allow") return isServerError(error);
  return !isNetworkError(error) && !isClientAuthError(error);
}

/**
 * node-postgres, given everything explicitly: it never sees a connection string (so it never
 * aliases sslmode nor prints its "SECURITY WARNING"), and PG* variables are hidden while it
 * reads its configuration, so only what {@link resolveConnection} settled is used.
 */
function newClient(connection: ResolvedConnection, ssl: pg.ClientConfig["ssl"]): pg.Client {
  const timeoutSeconds = connection.connectTimeoutSeconds;
  const config: pg.ClientConfig = {
    host: connection.host,
    port: connection.port,
    user: connection.user,
    database: connection.dbname,
    // Without one, a function node-postgres calls only when the server wants a password: libpq's words, never its own pgpass.
    password: connection.password ?? (() => Promise.reject(new Error("fe_sendauth: no password supplied"))),
    ssl,
    // SCRAM-SHA-256-PLUS whenever the server offers it over TLS, as libpq does unless channel_binding=disable.
    enableChannelBinding: connection.channelBinding !== "disable",
    keepAlive: connection.keepalives,
    ...(connection.keepalivesIdleSeconds === undefined
      ? {}
      : { keepAliveInitialDelayMillis: connection.keepalivesIdleSeconds * 1000 }),
    ...(timeoutSeconds !== undefined && timeoutSeconds > 0
      ? { connectionTimeoutMillis: Math.max(timeoutSeconds, MIN_CONNECT_TIMEOUT_SECONDS) * 1000 }
      : {}),
    ...(connection.applicationName === undefined ? {} : { application_name: connection.applicationName }),
    ...(connection.fallbackApplicationName === undefined
      ? {}
      : { fallback_application_name: connection.fallbackApplicationName }),
    ...(connection.options === undefined ? {} : { options: connection.options }),
    ...(connection.clientEncoding === undefined ? {} : { client_encoding: connection.clientEncoding }),
  };
  const hidden = Object.keys(process.env).filter((name) => name.startsWith("PG"));
  const saved = hidden.map((name) => [name, process.env[name]] as const);
  for (const name of hidden) delete process.env[name];
  let client: pg.Client;
  try {
    client = new pg.Client(config);
  } finally {
    for (const [name, value] of saved) process.env[name] = value;
  }
  if (connection.channelBinding === "require") requireChannelBinding(client, ssl !== false);
  return client;
}

function sslOptions(connection: ResolvedConnection, material: TlsMaterial): NonNullable<pg.ClientConfig["ssl"]> {
  return {
    rejectUnauthorized: material.verification !== "none",
    ...(material.root ? { ca: material.root.pem } : {}),
    ...(material.crlPem ? { crl: material.crlPem } : {}),
    ...(material.client ? { cert: material.client.cert, key: material.client.key } : {}),
    ...(connection.sslMinProtocolVersion ? { minVersion: connection.sslMinProtocolVersion } : {}),
    ...(connection.sslMaxProtocolVersion ? { maxVersion: connection.sslMaxProtocolVersion } : {}),
    // libpq's host name rules (not Node's) for verify-full; verify-ca and require check no name.
    checkServerIdentity: (_name: string, certificate: PeerCertificate) => {
      if (material.verification !== "chain-and-name") return undefined;
      const verdict = libpqHostNameMatch(certificateFacts(certificate.raw), connection.host);
      if (verdict.ok) return undefined;
      return Object.assign(new Error(verdict.message), { code: "ERR_PGWARDEN_HOSTNAME" });
    },
  };
}

/** One attempt: TLS or not, as libpq would make it. */
async function attempt(
  connection: ResolvedConnection,
  kind: "plain" | "tls",
): Promise<{ client: pg.Client; material?: TlsMaterial }> {
  if (kind === "plain") {
    const client = newClient(connection, false);
    await connectClient(client);
    return { client };
  }
  const material = tlsMaterial(connection);
  const client = newClient(connection, sslOptions(connection, material));
  try {
    await connectClient(client);
  } catch (error) {
    throw Object.assign(error as Error, { tlsMaterial: material });
  }
  return { client, material };
}

function factsOf(
  connection: ResolvedConnection,
  client: pg.Client,
  material: TlsMaterial | undefined,
  retriedAfter: string | undefined,
): ConnectionFacts {
  const stream = (client as unknown as { connection?: { stream?: TLSSocket } }).connection?.stream;
  const address = connection.socket ? undefined : stream?.remoteAddress;
  const tls = material !== undefined && typeof stream?.getProtocol === "function";
  const peer = tls ? stream?.getPeerX509Certificate() : undefined;
  return {
    connection,
    tls,
    ...(address === undefined ? {} : { address }),
    ...(tls
      ? {
          protocol: stream?.getProtocol() ?? undefined,
          cipher: stream?.getCipher()?.standardName ?? stream?.getCipher()?.name,
        }
      : {}),
    ...(tls ? { verification: material?.verification, rootCertificate: material?.root?.path } : {}),
    ...(peer ? { serverCertificateSubject: peer.subject.replace(/\n/g, ", ") } : {}),
    ...(tls && material?.client ? { clientCertificate: material.client.certPath } : {}),
    ...(retriedAfter === undefined ? {} : { retriedAfter }),
  };
}

/** A root certificate file among `candidates` that the server's chain verifies against, for the message. */
async function workingRoot(
  connection: ResolvedConnection,
  candidates: readonly string[],
  used: string | undefined,
): Promise<string | undefined> {
  for (const path of candidates) {
    if (path === used) continue;
    let pem: string;
    try {
      pem = readFileSync(path, "utf8");
    } catch {
      continue;
    }
    const probe = await probeTls({ host: connection.host, port: connection.port, ca: pem }).catch(() => undefined);
    const chains = probe?.verified === true || probe?.verifyError?.startsWith("the certificate does not name") === true;
    if (chains) return path;
  }
  return undefined;
}

/** The OS's words for the errors psql names (strerror), by Node's code. */
const STRERROR: Readonly<Record<string, string>> = {
  ECONNREFUSED: "Connection refused",
  ENOENT: "No such file or directory",
};

/**
 * Nothing listening, in psql's words (fe-connect.c connectFailureMessage) on one line: the
 * address (and the host name it came from), the port or the socket file, and its question.
 */
function refusedText(
  connection: ResolvedConnection,
  error: NodeJS.ErrnoException & { address?: string },
): string | undefined {
  const reason = STRERROR[error.code ?? ""];
  if (reason === undefined || error.syscall !== "connect") return undefined;
  if (connection.socket) {
    return `connection to server on socket "${connection.host}/.s.PGSQL.${connection.port}" failed: ${reason}; is the server running locally and accepting connections on that socket?`;
  }
  const address = error.address ?? connection.host;
  const named = address === connection.host ? `"${connection.host}"` : `"${connection.host}" (${address})`;
  return `connection to server at ${named}, port ${connection.port} failed: ${reason}; is the server running on that host and accepting TCP/IP connections?`;
}

/** Why an attempt failed, in a person's words: a certificate that did not verify says against what, and what would work. */
async function failureText(
  connection: ResolvedConnection,
  error: unknown,
  candidates: readonly string[],
): Promise<string> {
  if (error instanceof TlsSetupError) return error.message;
  const material = (error as { tlsMaterial?: TlsMaterial }).tlsMaterial;
  const code = String((error as NodeJS.ErrnoException).code ?? "");
  const refused = refusedText(connection, error as NodeJS.ErrnoException & { address?: string });
  if (refused !== undefined) return refused;
  const text = connectFailure(error as Error);
  // The CA is right here: the CRL named (by sslcrl, PGSSLCRL or libpq's default ~/.postgresql/root.crl) is what refused.
  const crlFrom = `(${connection.sslcrl.namedBy ?? "libpq's default"})`;
  if (material?.crlPath !== undefined && code === "CERT_REVOKED")
    return `the server certificate is revoked by the CRL ${material.crlPath} ${crlFrom}: ${text}`;
  if (material?.crlPath !== undefined && code === "UNABLE_TO_GET_CRL") {
    return `the CRL ${material.crlPath} ${crlFrom} holds no list from the CA that signed the server's certificate, and libpq then refuses: ${text}`;
  }
  // ERR_SSL_* are alerts from the server (a client certificate it refused), not a server certificate that failed here.
  if (material === undefined || !VERIFY_ERROR.test(code) || code.startsWith("ERR_SSL_")) return text;
  if (code === "ERR_PGWARDEN_HOSTNAME")
    return `${text} (sslmode=verify-full checks the name in host= against the server certificate's names)`;
  const root = material.root?.path ?? "(none)";
  const working = await workingRoot(connection, candidates, material.root?.path);
  const hint =
    working === undefined
      ? "give the CA that signed the server's certificate as sslrootcert"
      : `sslrootcert=${working} would work (the server's certificate chains to it)`;
  return `the server certificate does not verify against sslrootcert=${root}: ${text}; ${hint}`;
}

/**
 * Opens `connection` as libpq 15 does for its sslmode: disable plain only; allow plain, then
 * TLS when the server refuses; prefer TLS, then plain when TLS failed (no TLS on the server, a
 * refused TLS login, a certificate that did not verify against ~/.postgresql/root.crt);
 * require, verify-ca and verify-full TLS only. A failure is exit 5 starting with `failure`.
 */
export async function openConnection(
  connection: ResolvedConnection,
  failure: string,
  options: { readonly candidateRoots?: readonly string[] } = {},
): Promise<pg.Client> {
  const attempts = attemptsFor(connection);
  const where = connection.socket
    ? `socket directory ${connection.host}, port ${connection.port}`
    : `${connection.host}:${connection.port}`;
  const errors: Array<{ kind: "plain" | "tls"; text: string }> = [];
  let lastError: unknown;
  for (const [index, kind] of attempts.entries()) {
    try {
      const { client, material } = await attempt(connection, kind);
      FACTS.set(client, factsOf(connection, client, material, errors[0]?.text));
      return client;
    } catch (error) {
      lastError = error;
      const text = await failureText(connection, error, options.candidateRoots ?? []);
      // A server without TLS is no failure under prefer: libpq goes on without TLS and says nothing of it.
      if (!(kind === "tls" && NO_TLS_ON_SERVER.test(text) && index < attempts.length - 1)) errors.push({ kind, text });
      if (index === attempts.length - 1 || !retries(connection, error)) break;
    }
  }
  const said =
    errors.length === 1
      ? (errors[0] as { text: string }).text
      : errors.map(({ kind, text }) => `${kind === "tls" ? "with TLS" : "without TLS"}: ${text}`).join("; then ");
  throw new PgwardenError(
    "connect-failed",
    `${failure}: ${said} (${where} as ${connection.user}, database ${connection.dbname}, sslmode=${connection.sslmode})`,
    ExitCode.connection,
    {
      cause: lastError,
    },
  );
}
