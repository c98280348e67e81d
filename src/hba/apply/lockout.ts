import { type ConnectionExplanation, explainConnection } from "../explain/explain-connection.js";
import type { Connection, ServerContext } from "../match.js";
import type { HbaRule } from "../model.js";
import { type LoginMeans, methodVerdict } from "./login-method.js";
import { type ApplyFacts, commonNameOf, type IdentMapping } from "./server-facts.js";

/** A login that must still work once the new rules are loaded, and what the rules do with it. */
export interface LoginCheck {
  /** Who, for a person: "pgwarden's own connection (postgres to postgres over the unix socket)". */
  readonly who: string;
  readonly explanation: ConnectionExplanation;
}

const describeConnection = (connection: Connection) =>
  `${connection.user} to ${connection.database} ${connection.address === "local" ? "over the unix socket" : `from ${connection.address}${connection.ssl ? " over TLS" : ""}`}`;

/** The connections that must survive the new rules: pgwarden's own, and the bootstrap superuser's socket login. */
export function loginsToKeep(facts: ApplyFacts): { who: string; connection: Connection; own: boolean }[] {
  const cn = facts.clientDn ? commonNameOf(facts.clientDn) : undefined;
  const own: Connection = {
    user: facts.sessionUser,
    database: facts.database,
    address: facts.clientAddress ?? "local",
    ssl: facts.ssl,
    gssenc: facts.gssEncrypted,
    memberOf: facts.memberOf[facts.sessionUser] ?? [],
    ...(cn !== undefined ? { certificate: { commonName: cn } } : {}),
  };
  const superuser: Connection = {
    user: facts.bootstrapSuperuser,
    database: "postgres",
    address: "local",
    ssl: false,
    memberOf: facts.memberOf[facts.bootstrapSuperuser] ?? [],
  };
  const same = own.user === superuser.user && own.database === superuser.database && own.address === "local";
  if (same)
    return [
      {
        who: `pgwarden's own connection, the superuser's socket login (${describeConnection(own)})`,
        connection: own,
        own: true,
      },
    ];
  return [
    { who: `pgwarden's own connection (${describeConnection(own)})`, connection: own, own: true },
    { who: `the superuser's socket login (${describeConnection(superuser)})`, connection: superuser, own: false },
  ];
}

/** What pgwarden knows of its own login beyond the server's facts, and of the superuser's socket login. */
export interface OwnLogin {
  /** The OS user pgwarden's socket login runs as (--pgdata: the data directory's owner), when it logs in over the socket. */
  readonly osUser?: string;
  /** True when a password was supplied to pgwarden's connection. */
  readonly sendsPassword: boolean;
  /** The OS account the superuser's socket login runs as (PGDATA's owner; by initdb's default, named as the role). */
  readonly superuserOsUser?: string;
  /** pg_ident.conf as the server reads it, when pgwarden can read it. */
  readonly identMappings?: readonly IdentMapping[];
}

/**
 * pgwarden's explain engine on each login that must survive, then whether the login can pass
 * the method of the line that lets it in; those it would not let in (refused, or cannot tell).
 * Without `login`, only which line matches is judged.
 */
export function blockedLogins(rules: readonly HbaRule[], facts: ApplyFacts, login?: OwnLogin): LoginCheck[] {
  const server: ServerContext = {
    majorVersion: Math.floor(facts.versionNum / 10_000),
    addresses: facts.serverAddress ? [facts.serverAddress] : [],
  };
  return loginsToKeep(facts)
    .map(({ who, connection, own }) => {
      const explanation = explainConnection(rules, connection, { server, roleExists: true });
      const first = explanation.first;
      // A cert line with a map is "unknown" to the explain engine, which does not read pg_ident.conf; pgwarden can, through the server.
      const mapped =
        explanation.verdict === "unknown" &&
        explanation.undecided.length === 0 &&
        first?.rule.method === "cert" &&
        login?.identMappings !== undefined;
      if (login === undefined || (explanation.verdict !== "allowed" && !mapped) || first === undefined)
        return { who, explanation };
      const means: LoginMeans = {
        // initdb names the bootstrap superuser after the OS account that made the cluster (its owner) unless told otherwise.
        osUser: own ? login.osUser : (login.superuserOsUser ?? connection.user),
        // The superuser's socket login is a person's: they can type the password the role has.
        sendsPassword: own ? login.sendsPassword : true,
        passwordKind: facts.passwordKinds?.[connection.user],
        certificateCn: connection.certificate?.commonName,
        identMappings: login.identMappings,
      };
      const verdict = methodVerdict(first.rule, connection.user, means);
      if (verdict.pass === true) return { who, explanation: { ...explanation, verdict: "allowed" as const } };
      const reason = `${verdict.reason} on line ${first.rule.source.line}`;
      return {
        who,
        explanation: {
          ...explanation,
          verdict: verdict.pass === false ? ("refused" as const) : ("unknown" as const),
          reason,
          first: { ...first, outcome: { ...first.outcome, reason } },
        },
      };
    })
    .filter((check) => check.explanation.verdict !== "allowed");
}
