import type { ConnectionType } from "../model.js";

/*
 * Authentication options (`name=value` after the method) as hba.c parse_hba_auth_opt and
 * the checks after it judge them: known names, the methods each belongs to, the values
 * PostgreSQL refuses, and the options some methods cannot do without.
 */

/** The methods an option belongs to, and how PostgreSQL names them in its message. */
interface OptionScope {
  readonly methods: readonly string[];
  readonly named: string;
}

const LDAP: OptionScope = { methods: ["ldap"], named: "ldap" };
const RADIUS: OptionScope = { methods: ["radius"], named: "radius" };
const PAM: OptionScope = { methods: ["pam"], named: "pam" };
const KERBEROS: OptionScope = { methods: ["gss", "sspi"], named: "gssapi and sspi" };
const SSPI: OptionScope = { methods: ["sspi"], named: "sspi" };

const OPTION_SCOPES: Readonly<Record<string, OptionScope>> = {
  map: { methods: ["ident", "peer", "gss", "sspi", "cert"], named: "ident, peer, gssapi, sspi, and cert" },
  pamservice: PAM,
  pam_use_hostname: PAM,
  ldapurl: LDAP,
  ldaptls: LDAP,
  ldapscheme: LDAP,
  ldapserver: LDAP,
  ldapport: LDAP,
  ldapbinddn: LDAP,
  ldapbindpasswd: LDAP,
  ldapsearchattribute: LDAP,
  ldapsearchfilter: LDAP,
  ldapbasedn: LDAP,
  ldapprefix: LDAP,
  ldapsuffix: LDAP,
  krb_realm: KERBEROS,
  include_realm: KERBEROS,
  compat_realm: SSPI,
  upn_username: SSPI,
  radiusservers: RADIUS,
  radiusports: RADIUS,
  radiussecrets: RADIUS,
  radiusidentifiers: RADIUS,
};

/** Options only a `hostssl` record may carry, with the values each accepts. */
const HOSTSSL_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  clientcert: ["verify-full", "verify-ca"],
  clientname: ["CN", "DN"],
};

/** The error PostgreSQL reports for one option, or undefined when it accepts it. */
export function optionError(type: ConnectionType, method: string, name: string, value: string): string | undefined {
  // Own properties only: an option named toString or __proto__ is just unknown.
  const sslValues = Object.hasOwn(HOSTSSL_OPTIONS, name) ? HOSTSSL_OPTIONS[name] : undefined;
  if (sslValues) {
    if (type !== "hostssl") return `${name} can only be configured for "hostssl" rows`;
    if (!sslValues.includes(value)) return `invalid value for ${name}: "${value}"`;
    if (name === "clientcert" && value === "verify-ca" && method === "cert")
      return `clientcert only accepts "verify-full" when using "cert" authentication`;
    return undefined;
  }
  const scope = Object.hasOwn(OPTION_SCOPES, name) ? OPTION_SCOPES[name] : undefined;
  if (!scope) return `unrecognized authentication option name: "${name}"`;
  if (!scope.methods.includes(method))
    return `authentication option "${name}" is only valid for authentication methods ${scope.named}`;
  // atoi(): leading digits count, anything else is 0, and 0 is refused.
  if (name === "ldapport" && !parseInt(value, 10)) return `invalid LDAP port number: "${value}"`;
  return undefined;
}

/** Options a method cannot do without, or that cannot go together. */
export function missingOptionError(method: string, options: Readonly<Record<string, string>>): string | undefined {
  const has = (name: string) => options[name] !== undefined;
  if (method === "ldap") {
    const simpleBind = has("ldapprefix") || has("ldapsuffix");
    if (
      simpleBind &&
      ["ldapbasedn", "ldapbinddn", "ldapbindpasswd", "ldapsearchattribute", "ldapsearchfilter"].some(has)
    ) {
      return "cannot mix options for simple bind and search+bind modes";
    }
    if (!simpleBind && !has("ldapbasedn") && !ldapUrlHasBaseDn(options["ldapurl"])) {
      return `authentication method "ldap" requires argument "ldapbasedn", "ldapprefix", or "ldapsuffix" to be set`;
    }
    if (has("ldapsearchattribute") && has("ldapsearchfilter"))
      return "cannot use ldapsearchattribute together with ldapsearchfilter";
  }
  if (method === "radius") {
    for (const name of ["radiusservers", "radiussecrets"])
      if (!has(name)) return `authentication method "radius" requires argument "${name}" to be set`;
    const servers = listLength(options["radiusservers"]);
    if (servers === 0) return "list of RADIUS servers cannot be empty";
    for (const [name, label, minimum] of [
      ["radiussecrets", "secrets", 1],
      ["radiusports", "ports", 0],
      ["radiusidentifiers", "identifiers", 0],
    ] as const) {
      const count = listLength(options[name]);
      if (count === 0 && minimum === 1) return "list of RADIUS secrets cannot be empty";
      if (count > 1 && count !== servers)
        return `the number of RADIUS ${label} (${count}) must be 1 or the same as the number of RADIUS servers (${servers})`;
    }
  }
  return undefined;
}

/** An ldapurl with a DN path (`ldap://host/dc=example,dc=net`) sets the base DN. */
function ldapUrlHasBaseDn(url: string | undefined): boolean {
  if (url === undefined) return false;
  const path = /^ldaps?:\/\/[^/]*\/([^?]*)/i.exec(url)?.[1];
  return path !== undefined && path !== "";
}

function listLength(value: string | undefined): number {
  if (value === undefined) return 0;
  return value.split(",").filter((item) => item.trim() !== "").length;
}
