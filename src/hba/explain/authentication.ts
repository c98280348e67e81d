import type { Connection } from "../match.js";
import type { HbaRule } from "../model.js";

/**
 * What a matched line does with the connection. PostgreSQL never tries a later line once one
 * matches: a line whose authentication fails refuses the connection.
 * - allowed: the line lets the user in once the client proves what `demands` says;
 * - refused: the line refuses the connection whatever the client proves (`reason` says why);
 * - unknown: it depends on something pgwarden cannot see (`reason` says what).
 */
export type Access = "allowed" | "refused" | "unknown";

export interface AuthenticationOutcome {
  readonly access: Access;
  /** What the client must prove, for a person: "a password (SCRAM-SHA-256)". */
  readonly demands: string;
  readonly reason?: string;
  /** When refused: the error message the client receives from PostgreSQL (auth.c), e.g. `password authentication failed for user "alice"`. */
  readonly serverMessage?: string;
}

/** What each method asks of the client once the line matches (hba.c ClientAuthentication). */
function methodDemands(rule: HbaRule, user: string): string {
  const map = rule.options.map;
  // `subject` names what proves the identity; a map lets other names stand for the user.
  const identity = (subject: string) =>
    map !== undefined ? `${subject}, mapped to ${user} by pg_ident.conf map ${map}` : `${subject}: ${user}`;
  switch (rule.method) {
    case "trust":
      return "nothing";
    case "scram-sha-256":
      return "a password (SCRAM-SHA-256)";
    case "md5":
      return "a password (MD5, or SCRAM-SHA-256 when the stored verifier is SCRAM)";
    case "password":
      return "a password, sent in clear text";
    case "peer":
      return identity("the client's operating system user");
    case "ident":
      return identity("the user an ident server on the client's host names");
    case "gss":
      return identity("the Kerberos (GSSAPI) principal's user name");
    case "sspi":
      return identity("the Windows (SSPI) account name");
    case "ldap":
      return "a password, checked by an LDAP server";
    case "radius":
      return "a password, checked by a RADIUS server";
    case "pam":
      return "a password, checked by PAM";
    case "bsd":
      return "a password, checked by BSD Authentication";
    case "cert": {
      const field = rule.options.clientname === "DN" ? "subject DN" : "CN";
      return map !== undefined
        ? `a client certificate whose ${field} pg_ident.conf map ${map} maps to ${user}`
        : `a client certificate whose ${field} is ${user}`;
    }
    default:
      return `what ${rule.method} asks for`;
  }
}

/** clientcert=verify-ca|verify-full, which `cert` implies as verify-full. */
function clientCertMode(rule: HbaRule): "verify-ca" | "verify-full" | undefined {
  if (rule.method === "cert") return "verify-full";
  const mode = rule.options.clientcert;
  return mode === "verify-ca" || mode === "verify-full" ? mode : undefined;
}

/**
 * auth.c auth_failed: what the client is told when the line's method, or the certificate
 * check after it, fails. It names the method, never the certificate (the log has the detail).
 */
const AUTH_FAILED: Readonly<Record<string, string>> = {
  trust: '"trust" authentication failed',
  ident: "Ident authentication failed",
  peer: "Peer authentication failed",
  password: "password authentication failed",
  md5: "password authentication failed",
  "scram-sha-256": "password authentication failed",
  gss: "GSSAPI authentication failed",
  sspi: "SSPI authentication failed",
  pam: "PAM authentication failed",
  bsd: "BSD authentication failed",
  ldap: "LDAP authentication failed",
  cert: "certificate authentication failed",
  radius: "RADIUS authentication failed",
};

/** The message auth.c auth_failed sends when `method` fails for `user`. */
export function authFailedMessage(method: string, user: string): string {
  const failed = Object.hasOwn(AUTH_FAILED, method) ? AUTH_FAILED[method] : undefined;
  return failed === undefined
    ? `authentication failed for user "${user}": invalid authentication method`
    : `${failed} for user "${user}"`;
}

/** How auth.c names the session's encryption in its refusals (PostgreSQL 14 on). */
export function encryptionText(connection: Connection): string {
  return connection.gssenc ? "GSS encryption" : connection.ssl ? "SSL encryption" : "no encryption";
}

/** auth.c ClientAuthentication's message for an explicit reject line. */
export function rejectMessage(connection: Connection): string {
  const host = connection.address === "local" ? "[local]" : connection.address;
  const encryption = encryptionText(connection);
  return connection.replication
    ? `pg_hba.conf rejects replication connection for host "${host}", user "${connection.user}", ${encryption}`
    : `pg_hba.conf rejects connection for host "${host}", user "${connection.user}", database "${connection.database}", ${encryption}`;
}

export const NO_CERTIFICATE_MESSAGE = "connection requires a valid client certificate";

/**
 * The certificate name check (auth.c CheckCertAuth) once the method has let the
 * client through, as far as a CN can tell; undefined when it passes.
 */
function certificateNameProblem(
  rule: HbaRule,
  connection: Connection,
  mode: "verify-ca" | "verify-full",
): Omit<AuthenticationOutcome, "demands"> | undefined {
  const certificate = connection.certificate;
  if (!certificate || mode === "verify-ca") return undefined;
  if (rule.options.map !== undefined) {
    return {
      access: "unknown",
      reason: `the certificate name is mapped through pg_ident.conf map ${rule.options.map}, which pgwarden does not read`,
    };
  }
  if (rule.options.clientname === "DN") {
    return {
      access: "unknown",
      reason: `the line compares the certificate's whole subject DN with ${connection.user}, and only its CN is known`,
    };
  }
  if (certificate.commonName !== connection.user) {
    // auth_failed names the line's method, so behind a password the client hears "password authentication failed".
    const serverMessage = authFailedMessage(rule.method, connection.user);
    const told =
      rule.method === "cert"
        ? `the client is told: ${serverMessage}`
        : `clientcert=verify-full, checked after ${rule.method} succeeds: the client is told "${serverMessage}", the server log says the CN does not match`;
    return {
      access: "refused",
      reason: `certificate CN ${certificate.commonName} is not user ${connection.user} (${told})`,
      serverMessage,
    };
  }
  return undefined;
}

/**
 * What the matched `rule` does with `connection`: allowed with what it demands, refused, or
 * unknown, with why. In auth.c's order: a line with clientcert (cert implies verify-full)
 * first refuses a connection without a valid client certificate, whatever its method, reject
 * included; then the method runs; then, for verify-full, the certificate's name is compared.
 */
export function authenticationOutcome(rule: HbaRule, connection: Connection): AuthenticationOutcome {
  const mode = clientCertMode(rule);
  const method = rule.method === "reject" ? "nothing: the line rejects" : methodDemands(rule, connection.user);
  const demands =
    rule.method !== "cert" && mode !== undefined
      ? `${method}, and a client certificate${mode === "verify-full" ? ` whose CN is ${connection.user}` : ""} (clientcert=${mode})`
      : method;
  if (mode !== undefined && !connection.certificate) {
    const reason = `no client certificate is presented, and this line requires one (clientcert=${mode}${rule.method === "cert" ? ", implied by cert" : ""}), checked before the method${rule.method === "reject" ? ", reject included" : ""}: the client is told "${NO_CERTIFICATE_MESSAGE}"`;
    return { access: "refused", demands, reason, serverMessage: NO_CERTIFICATE_MESSAGE };
  }
  if (rule.method === "reject") {
    const serverMessage = rejectMessage(connection);
    return { access: "refused", demands, reason: `the line rejects the connection (${serverMessage})`, serverMessage };
  }
  const problem = mode === undefined ? undefined : certificateNameProblem(rule, connection, mode);
  return problem ? { ...problem, demands } : { access: "allowed", demands };
}
