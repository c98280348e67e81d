/**
 * libpq's connection keywords (PostgreSQL 15, fe-connect.c PQconninfoOptions): each with the
 * environment variable libpq falls back to, and whether pgwarden honours it. A keyword libpq
 * knows but pgwarden cannot honour is refused by name ({@link KeywordSpec.unsupported}) rather
 * than ignored, so a connection never quietly differs from psql's.
 */
export interface KeywordSpec {
  readonly name: string;
  /** The environment variable libpq reads when neither the string nor the service sets it. */
  readonly envvar?: string;
  /** Why pgwarden refuses it (any value but {@link KeywordSpec.harmless}). */
  readonly unsupported?: string;
  /** Values accepted even though the keyword is unsupported: they ask for what pgwarden does anyway. */
  readonly harmless?: readonly string[];
}

export const KEYWORDS: readonly KeywordSpec[] = [
  { name: "service", envvar: "PGSERVICE" },
  { name: "user", envvar: "PGUSER" },
  { name: "password", envvar: "PGPASSWORD" },
  { name: "passfile", envvar: "PGPASSFILE" },
  { name: "channel_binding", envvar: "PGCHANNELBINDING" },
  { name: "connect_timeout", envvar: "PGCONNECT_TIMEOUT" },
  { name: "dbname", envvar: "PGDATABASE" },
  { name: "host", envvar: "PGHOST" },
  {
    name: "hostaddr",
    envvar: "PGHOSTADDR",
    unsupported:
      "pgwarden connects to host itself: give the address as host (and sslmode=verify-ca, or a certificate naming it)",
  },
  { name: "port", envvar: "PGPORT" },
  { name: "client_encoding", envvar: "PGCLIENTENCODING" },
  { name: "options", envvar: "PGOPTIONS" },
  { name: "application_name", envvar: "PGAPPNAME" },
  { name: "fallback_application_name" },
  { name: "keepalives" },
  { name: "keepalives_idle" },
  { name: "keepalives_interval", unsupported: "pgwarden cannot set the TCP keepalive interval" },
  { name: "keepalives_count", unsupported: "pgwarden cannot set the TCP keepalive count" },
  { name: "tcp_user_timeout", unsupported: "pgwarden cannot set TCP_USER_TIMEOUT", harmless: ["0"] },
  { name: "sslmode", envvar: "PGSSLMODE" },
  { name: "requiressl", envvar: "PGREQUIRESSL" },
  {
    name: "sslcompression",
    envvar: "PGSSLCOMPRESSION",
    unsupported: "TLS compression is off in pgwarden (and in OpenSSL 3)",
    harmless: ["0"],
  },
  { name: "sslcert", envvar: "PGSSLCERT" },
  { name: "sslkey", envvar: "PGSSLKEY" },
  {
    name: "sslpassword",
    unsupported: "pgwarden reads only unencrypted client keys (0600): decrypt it with openssl pkey",
  },
  { name: "sslrootcert", envvar: "PGSSLROOTCERT" },
  { name: "sslcrl", envvar: "PGSSLCRL" },
  {
    name: "sslcrldir",
    envvar: "PGSSLCRLDIR",
    unsupported: "pgwarden reads one CRL file: give it as sslcrl",
    harmless: [""],
  },
  {
    name: "sslsni",
    envvar: "PGSSLSNI",
    unsupported: "pgwarden always sends the host name (SNI) as libpq does by default",
    harmless: ["1"],
  },
  {
    name: "requirepeer",
    envvar: "PGREQUIREPEER",
    unsupported: "pgwarden cannot check the peer of a Unix socket",
    harmless: [""],
  },
  { name: "ssl_min_protocol_version", envvar: "PGSSLMINPROTOCOLVERSION" },
  { name: "ssl_max_protocol_version", envvar: "PGSSLMAXPROTOCOLVERSION" },
  {
    name: "gssencmode",
    envvar: "PGGSSENCMODE",
    unsupported: "pgwarden does not do GSSAPI encryption",
    harmless: ["disable", "prefer"],
  },
  { name: "krbsrvname", envvar: "PGKRBSRVNAME", unsupported: "pgwarden does not do Kerberos (GSSAPI)" },
  { name: "gsslib", envvar: "PGGSSLIB", unsupported: "pgwarden does not do GSSAPI" },
  {
    name: "replication",
    unsupported: "pgwarden does not open replication connections",
    harmless: ["0", "false", "off", "no"],
  },
  {
    name: "target_session_attrs",
    envvar: "PGTARGETSESSIONATTRS",
    unsupported: "pgwarden connects to one host and does not choose among servers",
    harmless: ["any"],
  },
];

const BY_NAME = new Map(KEYWORDS.map((spec) => [spec.name, spec]));

export function keywordSpec(name: string): KeywordSpec | undefined {
  return BY_NAME.get(name);
}

export const KEYWORD_NAMES: readonly string[] = KEYWORDS.map((spec) => spec.name);

/** A connection's keywords and their values, as text (libpq keeps every value as a string). */
export type Keywords = ReadonlyMap<string, string>;
