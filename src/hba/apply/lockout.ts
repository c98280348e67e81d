import { explainConnection, type ConnectionExplanation } from "../explain/explain-connection.js";
import type { Connection, ServerContext } from "../match.js";
import type { HbaRule } from "../model.js";
import { commonNameOf, type ApplyFacts } from "./server-facts.js";

/** A login that must still work once the new rules are loaded, and what the rules do with it. */
export interface LoginCheck {
  /** Who, for a person: "pgwarden's own connection (postgres to postgres over the unix socket)". */
  readonly who: string;
  readonly explanation: ConnectionExplanation;
}

const describeConnection = (connection: Connection) =>
  `${connection.user} to ${connection.database} ${connection.address === "local" ? "over the unix socket" : `from ${connection.address}${connection.ssl ? " over TLS" : ""}`}`;

/** The connections that must survive the new rules: pgwarden's own, and the bootstrap superuser's socket login. */
export function loginsToKeep(facts: ApplyFacts): { who: string; connection: Connection }[] {
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
  const superuser: Connection = { user: facts.bootstrapSuperuser, database: "postgres", address: "local", ssl: false, memberOf: facts.memberOf[facts.bootstrapSuperuser] ?? [] };
  const same = own.user === superuser.user && own.database === superuser.database && own.address === "local";
  if (same) return [{ who: `pgwarden's own connection, the superuser's socket login (${describeConnection(own)})`, connection: own }];
  return [
    { who: `pgwarden's own connection (${describeConnection(own)})`, connection: own },
    { who: `the superuser's socket login (${describeConnection(superuser)})`, connection: superuser },
  ];
}

/** pgwarden's explain engine on each login that must survive; those it would not let in (refused, or cannot tell). */
export function blockedLogins(rules: readonly HbaRule[], facts: ApplyFacts): LoginCheck[] {
  const server: ServerContext = { majorVersion: Math.floor(facts.versionNum / 10_000), addresses: facts.serverAddress ? [facts.serverAddress] : [] };
  return loginsToKeep(facts)
    .map(({ who, connection }) => ({ who, explanation: explainConnection(rules, connection, { server, roleExists: true }) }))
    .filter((check) => check.explanation.verdict !== "allowed");
}
