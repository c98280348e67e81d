import type { Connection } from "../match.js";
import type { HbaRule } from "../model.js";
import { PASSWORD_METHODS, type StoredPassword, storedPasswordProblem } from "../stored-password.js";
import { type AuthenticationOutcome, authFailedMessage } from "./authentication.js";

/** What the server has of the role that connects (pg_roles, and pg_authid when the session may read it). */
export interface RoleLoginFacts {
  readonly superuser: boolean;
  readonly canLogin: boolean;
  readonly replication: boolean;
  /** rolconnlimit: -1 for none. Optional for facts from elsewhere (no limit known). */
  readonly connectionLimit?: number;
  /** The stored password's expiry, and its kind when the session may read pg_authid (superusers only). */
  readonly password: StoredPassword;
}

/** What the server has of the database asked for. */
export interface DatabaseLoginFacts {
  readonly exists: boolean;
  readonly allowConnections: boolean;
  /** has_database_privilege(role, database, 'CONNECT'): true for a superuser. */
  readonly canConnect: boolean;
  /** datconnlimit: -1 for none. */
  readonly connectionLimit?: number;
}

/** Everything the server checks once a pg_hba line has matched. */
export interface LoginFacts {
  readonly role: RoleLoginFacts;
  readonly database: DatabaseLoginFacts;
  /** The server's major version: some messages changed in 16. */
  readonly majorVersion: number;
}

/** One check the server makes after authentication, in its order (miscinit.c InitializeSessionUserId, postinit.c InitPostgres, CheckMyDatabase). */
interface LoginCheck {
  /** True when the check refuses the connection. */
  readonly refuses: (connection: Connection, facts: LoginFacts) => boolean;
  /** Why, for a person. */
  readonly why: (connection: Connection) => string;
  /** The error message the client receives. */
  readonly message: (connection: Connection, facts: LoginFacts) => string;
}

/** A physical replication connection asks for no database, so the database checks do not run. */
const forDatabase = (connection: Connection) => connection.replication !== true;

const LOGIN_CHECKS: readonly LoginCheck[] = [
  {
    refuses: (_, facts) => !facts.role.canLogin,
    why: (connection) => `${connection.user} has NOLOGIN`,
    message: (connection) => `role "${connection.user}" is not permitted to log in`,
  },
  {
    // CONNECTION LIMIT 0: the session itself is one too many (a positive limit depends on the sessions open then).
    refuses: (_, facts) => facts.role.connectionLimit === 0 && !facts.role.superuser,
    why: (connection) => `${connection.user} has CONNECTION LIMIT 0`,
    message: (connection) => `too many connections for role "${connection.user}"`,
  },
  {
    refuses: (connection, facts) => connection.replication === true && !facts.role.superuser && !facts.role.replication,
    why: (connection) => `${connection.user} is neither a superuser nor has REPLICATION`,
    message: (_, facts) =>
      facts.majorVersion >= 16
        ? "permission denied to start WAL sender"
        : "must be superuser or replication role to start walsender",
  },
  {
    refuses: (connection, facts) => forDatabase(connection) && !facts.database.exists,
    why: (connection) => `the server has no database ${connection.database}`,
    message: (connection) => `database "${connection.database}" does not exist`,
  },
  {
    // datallowconn stops superusers too.
    refuses: (connection, facts) =>
      forDatabase(connection) && facts.database.exists && !facts.database.allowConnections,
    why: (connection) => `database ${connection.database} does not allow connections (datallowconn is false)`,
    message: (connection) => `database "${connection.database}" is not currently accepting connections`,
  },
  {
    refuses: (connection, facts) =>
      forDatabase(connection) && facts.database.exists && !facts.role.superuser && !facts.database.canConnect,
    why: (connection) => `${connection.user} has no CONNECT privilege on database ${connection.database}`,
    message: (connection) => `permission denied for database "${connection.database}"`,
  },
  {
    refuses: (connection, facts) =>
      forDatabase(connection) && facts.database.exists && !facts.role.superuser && facts.database.connectionLimit === 0,
    why: (connection) => `database ${connection.database} has CONNECTION LIMIT 0`,
    message: (connection) => `too many connections for database "${connection.database}"`,
  },
];

/** What the client must get past before the login checks run, in words: "" for trust. */
function passedMethod(rule: HbaRule): string {
  if (rule.method === "trust") return "";
  return PASSWORD_METHODS.has(rule.method)
    ? "once the right password is sent, "
    : `once the client passes ${rule.method}, `;
}

/**
 * What the server does after the matched `rule` lets the client through its method: the
 * stored password decides whether a password method can succeed at all (whatever password is
 * typed), then the role must be allowed to log in and the database must exist, accept
 * connections and grant CONNECT. Only an outcome that was allowed can change: to refused.
 */
export function afterAuthentication(
  outcome: AuthenticationOutcome,
  rule: HbaRule,
  connection: Connection,
  facts: LoginFacts,
): AuthenticationOutcome {
  if (outcome.access !== "allowed") return outcome;
  const problem = storedPasswordProblem(rule.method, connection.user, facts.role.password);
  if (problem !== undefined) {
    const serverMessage = authFailedMessage(rule.method, connection.user);
    const reason = `${problem}, whatever password the client sends: the client is told "${serverMessage}"`;
    return { access: "refused", demands: outcome.demands, reason, serverMessage };
  }
  const check = LOGIN_CHECKS.find((candidate) => candidate.refuses(connection, facts));
  if (check === undefined) return outcome;
  const serverMessage = check.message(connection, facts);
  const reason = `${passedMethod(rule)}the server refuses the login: ${check.why(connection)}: the client is told "${serverMessage}"`;
  return { access: "refused", demands: outcome.demands, reason, serverMessage };
}
