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
}

/** What each method asks of the client once the line matches (hba.c ClientAuthentication). */
function methodDemands(rule: HbaRule, user: string): string {
  const map = rule.options.map;
  // `subject` names what proves the identity; a map lets other names stand for the user.
  const identity = (subject: string) => (map !== undefined ? `${subject}, mapped to ${user} by pg_ident.conf map ${map}` : `${subject}: ${user}`);
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
      return map !== undefined ? `a client certificate whose ${field} pg_ident.conf map ${map} maps to ${user}` : `a client certificate whose ${field} is ${user}`;
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

/** The certificate check (hba.c CheckCertAuth) as far as a CN can tell; undefined when it passes. */
function certificateProblem(rule: HbaRule, connection: Connection): Omit<AuthenticationOutcome, "demands"> | undefined {
  const mode = clientCertMode(rule);
  if (mode === undefined) return undefined;
  const certificate = connection.certificate;
  if (!certificate) return { access: "refused", reason: "no client certificate is presented, and this line requires one (connection requires a valid client certificate)" };
  if (mode === "verify-ca") return undefined;
  if (rule.options.map !== undefined) {
    return { access: "unknown", reason: `the certificate name is mapped through pg_ident.conf map ${rule.options.map}, which pgwarden does not read` };
  }
  if (rule.options.clientname === "DN") {
    return { access: "unknown", reason: `the line compares the certificate's whole subject DN with ${connection.user}, and only its CN is known` };
  }
  if (certificate.commonName !== connection.user) {
    // Behind another method the client only hears that the method failed; the server log has the CN mismatch.
    const told = rule.method === "cert" ? "certificate authentication failed" : `clientcert=verify-full: the client is told ${rule.method} authentication failed, the server log names the certificate`;
    return { access: "refused", reason: `certificate CN ${certificate.commonName} is not user ${connection.user} (${told})` };
  }
  return undefined;
}

/** What the matched `rule` does with `connection`: allowed with what it demands, refused, or unknown, with why. */
export function authenticationOutcome(rule: HbaRule, connection: Connection): AuthenticationOutcome {
  if (rule.method === "reject") return { access: "refused", demands: "nothing: the line rejects", reason: "the line rejects the connection (pg_hba.conf rejects connection)" };
  const mode = clientCertMode(rule);
  const method = methodDemands(rule, connection.user);
  const demands = rule.method !== "cert" && mode !== undefined ? `${method}, and a client certificate${mode === "verify-full" ? ` whose CN is ${connection.user}` : ""} (clientcert=${mode})` : method;
  const problem = certificateProblem(rule, connection);
  return problem ? { ...problem, demands } : { access: "allowed", demands };
}
