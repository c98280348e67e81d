/*
 * Connection strings for the clients people use, each in its own syntax, all with
 * sslmode=verify-full: libpq keyword/value (psql, psycopg), node-postgres and JDBC URLs.
 */

/** libpq keyword/value syntax: quote a value when it is empty or holds spaces, quotes or backslashes. */
export function conninfoValue(value: string): string {
  return /^[^\s'\\]+$/.test(value) ? value : `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

export function conninfo(pairs: Readonly<Record<string, string | number>>): string {
  return Object.entries(pairs)
    .map(([key, value]) => `${key}=${conninfoValue(String(value))}`)
    .join(" ");
}

/** A client that logs in with a certificate and checks the server's against a root. */
export interface CertificateLogin {
  /** A DNS name or an IP address (IPv6 without brackets) that the server certificate names. */
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  /** The role: the client certificate's CN. */
  readonly user: string;
  /** Absolute paths. */
  readonly sslrootcert: string;
  readonly sslcert: string;
  /** The PEM key (libpq, node-postgres). */
  readonly sslkey: string;
  /** The PKI's combined CRL, when it has one: libpq (psql, psycopg) then refuses a revoked server certificate. */
  readonly sslcrl?: string;
}

/** libpq keyword/value string: psql, psycopg and every other libpq program read it. */
export function libpqConninfo(login: CertificateLogin): string {
  const { host, port, dbname, user, sslrootcert, sslcert, sslkey, sslcrl } = login;
  const pairs = { host, port, dbname, user, sslmode: "verify-full", sslrootcert, sslcert, sslkey };
  return conninfo(sslcrl === undefined ? pairs : { ...pairs, sslcrl });
}

/** Characters a POSIX shell treats specially even inside double quotes (`!` for interactive bash). */
const DOUBLE_QUOTE_UNSAFE = /["$`\\!]/;

/** One word for a POSIX shell: double-quoted when that is safe, else single-quoted. */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  if (!DOUBLE_QUOTE_UNSAFE.test(value)) return `"${value}"`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A psql command line for a POSIX shell. */
export function psqlCommand(libpq: string): string {
  return `psql ${shellWord(libpq)}`;
}

/**
 * A Python call handing the libpq string to psycopg 3. A JSON string is also a valid Python
 * string literal (same escapes for quotes, backslashes and control characters, `\uXXXX`).
 */
export function psycopgConnect(libpq: string): string {
  return `psycopg.connect(${JSON.stringify(libpq)})`;
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Percent-encodes a query value; `/` stays as it is (legal in a query, and paths stay readable). */
function queryValue(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, "/");
}

function query(pairs: Readonly<Record<string, string>>): string {
  return Object.entries(pairs)
    .map(([key, value]) => `${key}=${queryValue(value)}`)
    .join("&");
}

function sslQuery(login: CertificateLogin, sslkey: string): string {
  return query({
    user: login.user,
    sslmode: "verify-full",
    sslrootcert: login.sslrootcert,
    sslcert: login.sslcert,
    sslkey,
  });
}

/**
 * pg-connection-string reads the database from the URL path with `decodeURI`, which leaves
 * these escapes undecoded; each of them is legal unescaped in a path, so write it as it is.
 */
const ESCAPES_DECODE_URI_KEEPS = /%(3B|3A|40|26|3D|2B|24|2C)/g;

/** Database names node-postgres cannot read from a URL: `decodeURI` keeps `%2F`, `%3F`, `%23` as they are. */
const NOT_IN_NODE_POSTGRES_PATH = /[/?#]/;

/**
 * node-postgres URL: pg-connection-string reads the files named by sslrootcert, sslcert and
 * sslkey, and verifies the server's name for sslmode=verify-full. Undefined when the
 * database name cannot be written in its URL path (it holds `/`, `?` or `#`).
 */
export function nodePostgresUrl(login: CertificateLogin): string | undefined {
  if (NOT_IN_NODE_POSTGRES_PATH.test(login.dbname)) return undefined;
  const path = encodeURIComponent(login.dbname).replace(ESCAPES_DECODE_URI_KEEPS, (escape) =>
    decodeURIComponent(escape),
  );
  return `postgresql://${urlHost(login.host)}:${login.port}/${path}?${sslQuery(login, login.sslkey)}`;
}

/** pgjdbc's factory that reads libpq's sslrootcert, sslcert and sslkey files (its default since 42.2.5, named so older drivers use it too). */
export const JDBC_SSL_FACTORY = "org.postgresql.ssl.LibPQFactory";

/**
 * pgjdbc URL with the LibPQFactory: sslkey must be a DER PKCS#8 key (`.pk8`). pgjdbc
 * URL-decodes the database and every parameter (`+` as a space), so all are percent-encoded.
 */
export function jdbcUrl(login: CertificateLogin, pk8Key: string): string {
  return `jdbc:postgresql://${urlHost(login.host)}:${login.port}/${encodeURIComponent(login.dbname)}?${sslQuery(login, pk8Key)}&sslfactory=${JDBC_SSL_FACTORY}`;
}
