/*
 * Pigsty's `auth` aliases: the method a rule uses and whether it demands TLS.
 *
 * Pigsty's set (roles/pgsql/templates/pg_hba.conf and pgbouncer.hba, `authmapping`):
 * `pwd` and `ssl` follow `pg_pwd_enc`; `ssl`, `ssl-md5`, `ssl-sha` and `cert` make the rule
 * `hostssl`; for pgbouncer `os` and `ident` become `peer`.
 *
 * pgwarden adds two families of its own:
 * - `nossl-pwd`, `nossl-sha`, `nossl-md5`, `nossl-deny`: the same methods on `hostnossl`
 *   (`nossl-deny` placed first refuses every TCP connection without TLS);
 * - `ssl+cert`, `ssl-sha+cert`, `ssl-md5+cert`: a password over TLS *and* a client
 *   certificate (`clientcert=verify-full`), so a stolen password alone is not enough.
 */

export type RenderTarget = "pg" | "pgbouncer";

/** Host-based connection types an alias can ask for; `local` comes from the address. */
export type TcpConnectionType = "host" | "hostssl" | "hostnossl";

/** `password` stands for the method `pg_pwd_enc` picks (scram-sha-256 unless it says md5). */
type MethodSpec = "password" | "scram-sha-256" | "md5" | "reject" | "cert" | "ident" | "peer" | "trust";

interface AuthAliasSpec {
  readonly method: MethodSpec;
  readonly connection: TcpConnectionType;
  /** Demands a client certificate on top of the method (`clientcert=verify-full`). */
  readonly clientCert?: true;
  /** Not in Pigsty: pgwarden's own alias. */
  readonly extension?: true;
}

const AUTH_ALIASES: Readonly<Record<string, AuthAliasSpec>> = {
  deny: { method: "reject", connection: "host" },
  pwd: { method: "password", connection: "host" },
  ssl: { method: "password", connection: "hostssl" },
  sha: { method: "scram-sha-256", connection: "host" },
  cert: { method: "cert", connection: "hostssl" },
  "ssl-md5": { method: "md5", connection: "hostssl" },
  "ssl-sha": { method: "scram-sha-256", connection: "hostssl" },
  md5: { method: "md5", connection: "host" },
  os: { method: "ident", connection: "host" },
  ident: { method: "ident", connection: "host" },
  peer: { method: "peer", connection: "host" },
  trust: { method: "trust", connection: "host" },
  reject: { method: "reject", connection: "host" },
  "scram-sha-256": { method: "scram-sha-256", connection: "host" },
  "nossl-pwd": { method: "password", connection: "hostnossl", extension: true },
  "nossl-sha": { method: "scram-sha-256", connection: "hostnossl", extension: true },
  "nossl-md5": { method: "md5", connection: "hostnossl", extension: true },
  "nossl-deny": { method: "reject", connection: "hostnossl", extension: true },
  "ssl+cert": { method: "password", connection: "hostssl", clientCert: true, extension: true },
  "ssl-sha+cert": { method: "scram-sha-256", connection: "hostssl", clientCert: true, extension: true },
  "ssl-md5+cert": { method: "md5", connection: "hostssl", clientCert: true, extension: true },
};

/** Every auth alias pgwarden knows, Pigsty's first. */
export const AUTH_ALIAS_NAMES: readonly string[] = Object.keys(AUTH_ALIASES);

/** What an alias becomes for one target. */
export interface ResolvedAuth {
  readonly method: string;
  /** The connection type for TCP addresses; `local`/`localhost` addresses override it as Pigsty does. */
  readonly connection: TcpConnectionType;
  readonly options: Readonly<Record<string, string>>;
  /** The alias demands TLS (Pigsty's `ssl`, `ssl-*`, `cert`, and pgwarden's `*+cert`). */
  readonly requiresTls: boolean;
  /** The alias is pgwarden's own, not Pigsty's. */
  readonly extension: boolean;
}

export function isAuthAlias(alias: string): boolean {
  return Object.hasOwn(AUTH_ALIASES, alias);
}

/** pg_pwd_enc as Pigsty reads it: md5 only when it says md5, scram-sha-256 otherwise. */
export function passwordMethod(pgPwdEnc: string | undefined): "scram-sha-256" | "md5" {
  return pgPwdEnc === "md5" ? "md5" : "scram-sha-256";
}

/**
 * The method, connection type and options for an auth alias; undefined for an unknown alias.
 * An empty or missing alias means `pwd` without TLS, as in Pigsty.
 */
export function resolveAuth(
  alias: string | undefined,
  pgPwdEnc: string | undefined,
  target: RenderTarget,
): ResolvedAuth | undefined {
  const name = alias === undefined || alias === "" ? "pwd" : alias;
  const spec = isAuthAlias(name) ? AUTH_ALIASES[name] : undefined;
  if (!spec) return undefined;
  let method: string = spec.method === "password" ? passwordMethod(pgPwdEnc) : spec.method;
  // pgbouncer has no ident server support: Pigsty maps os/ident to peer there.
  if (target === "pgbouncer" && method === "ident") method = "peer";
  return {
    method,
    connection: spec.connection,
    options: spec.clientCert ? { clientcert: "verify-full" } : {},
    requiresTls: spec.connection === "hostssl",
    extension: spec.extension === true,
  };
}
