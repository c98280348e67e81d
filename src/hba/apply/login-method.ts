import type { HbaRule } from "../model.js";
import { PASSWORD_METHODS, type PasswordKind, storedPasswordProblem } from "../stored-password.js";
import type { IdentMapping } from "./server-facts.js";

/** What a login brings to the method of the line that matches it. */
export interface LoginMeans {
  /** The OS user the server sees over the socket (peer), when known. */
  readonly osUser?: string;
  /** True when the login sends a password (pgwarden's own, when one was supplied to its connection). */
  readonly sendsPassword: boolean;
  /** The kind of password the role has stored; undefined when not known. */
  readonly passwordKind?: PasswordKind;
  /** The CN of the client certificate the login presents. */
  readonly certificateCn?: string;
  /** pg_ident.conf as the server reads it; undefined when pgwarden cannot read it. */
  readonly identMappings?: readonly IdentMapping[];
}

/** Whether a login passes a line's method: yes, no (and why), or pgwarden cannot tell (and why). */
export type MethodVerdict =
  | { readonly pass: true }
  | { readonly pass: false; readonly reason: string }
  | { readonly pass: "unknown"; readonly reason: string };

/**
 * Whether `map` maps the system user `sys` to `role` (hba.c check_usermap): undefined when
 * pgwarden cannot tell (no view, an error in the file, a +group or a regex it cannot run).
 */
export function mapAllows(
  mappings: readonly IdentMapping[] | undefined,
  map: string,
  sys: string,
  role: string,
): boolean | undefined {
  if (mappings === undefined) return undefined;
  let unsure = false;
  for (const line of mappings) {
    if (line.error !== null) {
      unsure = true;
      continue;
    }
    if (line.map !== map || line.sys === null || line.pg === null) continue;
    let target = line.pg;
    if (line.sys.startsWith("/")) {
      let found: RegExpExecArray | null;
      try {
        found = new RegExp(line.sys.slice(1)).exec(sys);
      } catch {
        unsure = true;
        continue;
      }
      if (!found) continue;
      target = target.replace("\\1", found[1] ?? "");
    } else if (line.sys !== sys) continue;
    if (target.startsWith("+") || target.startsWith("/") || target === "all") {
      unsure = true;
      continue;
    }
    if (target === role) return true;
  }
  return unsure ? undefined : false;
}

/** Whether `name` (the OS user, or the certificate's CN) logs in as `role` through the line's map, or without one by equality. */
function identity(rule: HbaRule, kind: string, name: string, role: string, means: LoginMeans): MethodVerdict {
  const map = rule.options.map;
  if (map === undefined)
    return name === role
      ? { pass: true }
      : { pass: false, reason: `${kind} ${name} is not ${role} and the line names no map` };
  const allowed = mapAllows(means.identMappings, map, name, role);
  if (allowed === undefined)
    return { pass: "unknown", reason: `pgwarden cannot tell whether map ${map} maps ${kind} ${name} to ${role}` };
  return allowed ? { pass: true } : { pass: false, reason: `map ${map} does not map ${kind} ${name} to ${role}` };
}

/** Whether a login that reaches `rule` passes its method (and a clientcert option), as far as pgwarden can tell. */
export function methodVerdict(rule: HbaRule, role: string, means: LoginMeans): MethodVerdict {
  const method = rule.method;
  const clientcert = rule.options.clientcert;
  if (clientcert !== undefined && method !== "cert") {
    if (means.certificateCn === undefined)
      return { pass: false, reason: `it presents no client certificate, which clientcert=${clientcert} demands` };
    if (clientcert === "verify-full") {
      const cn = identity(rule, "certificate CN", means.certificateCn, role, means);
      if (cn.pass !== true) return cn;
    }
  }
  if (method === "trust") return { pass: true };
  if (PASSWORD_METHODS.has(method)) {
    const kind = means.passwordKind;
    if (kind === undefined) return { pass: "unknown", reason: `pgwarden does not know what password ${role} has` };
    const problem = storedPasswordProblem(method, role, { kind });
    if (problem !== undefined) return { pass: false, reason: problem };
    if (!means.sendsPassword)
      return { pass: false, reason: `the login sends no password (none was supplied), so ${method} refuses it` };
    return { pass: true };
  }
  if (method === "cert") {
    if (means.certificateCn === undefined)
      return { pass: false, reason: "it presents no client certificate, so cert refuses it" };
    return identity(rule, "certificate CN", means.certificateCn, role, means);
  }
  if (method === "peer") {
    if (means.osUser === undefined)
      return { pass: "unknown", reason: "pgwarden does not know which OS user the server sees" };
    return identity(rule, "OS user", means.osUser, role, means);
  }
  return { pass: "unknown", reason: `pgwarden cannot tell whether it passes ${method} authentication` };
}
