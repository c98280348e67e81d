import type { Field } from "../../core/auth-file-tokens.js";
import { type HbaToken } from "../../core/auth-file-tokens.js";
import { CONNECTION_TYPES, type ConnectionType, type HbaParseError, type HbaRule } from "../model.js";
import { readAddress } from "./address-field.js";
import { missingOptionError, optionError } from "./auth-options.js";
import type { HbaRecord } from "./records.js";
import { tokenRegexError } from "./token-regex.js";

/** The authentication methods PostgreSQL knows, in the order its documentation lists them. */
export const AUTH_METHODS = [
  "trust",
  "reject",
  "scram-sha-256",
  "md5",
  "password",
  "gss",
  "sspi",
  "ident",
  "peer",
  "ldap",
  "radius",
  "cert",
  "pam",
  "bsd",
] as const;

const KNOWN_METHODS: ReadonlySet<string> = new Set(AUTH_METHODS);
const KNOWN_TYPES: ReadonlySet<string> = new Set(CONNECTION_TYPES);

/**
 * One record as a rule, or the first thing PostgreSQL would refuse in it (hba.c parse_hba_line).
 * `regex: false` (PostgreSQL before 16): a token starting with `/` is a name, never compiled.
 */
export function parseRecord(
  record: HbaRecord,
  syntax: { readonly regex: boolean } = { regex: true },
): HbaRule | HbaParseError {
  const fail = (message: string): HbaParseError => ({ source: record.source, message });
  if (record.error !== undefined) return fail(record.error);
  const fields = record.fields;

  const typeField = fields[0] as Field;
  if (typeField.length > 1) return fail("multiple values specified for connection type");
  const typeName = (typeField[0] as HbaToken).value;
  if (!KNOWN_TYPES.has(typeName)) return fail(`invalid connection type "${typeName}"`);
  const type = typeName as ConnectionType;

  const databases = fields[1];
  if (!databases) return fail("end-of-line before database specification");
  const users = fields[2];
  if (!users) return fail("end-of-line before role specification");
  for (const list of syntax.regex ? [databases, users] : []) {
    for (const token of list) {
      const error = tokenRegexError(token);
      if (error) return fail(error);
    }
  }

  let next = 3;
  let address: string | undefined;
  if (type !== "local") {
    const addressField = fields[next];
    if (!addressField) return fail("end-of-line before IP address specification");
    const read = readAddress(addressField, fields[next + 1]);
    if ("error" in read) return fail(read.error);
    address = read.address;
    next += read.fieldsUsed;
  }

  const methodField = fields[next];
  if (!methodField) return fail("end-of-line before authentication method");
  if (methodField.length > 1) return fail("multiple values specified for authentication type");
  let method = (methodField[0] as HbaToken).value;
  if (!KNOWN_METHODS.has(method))
    return fail(`invalid authentication method "${method}" (PostgreSQL knows ${AUTH_METHODS.join(", ")})`);
  // PostgreSQL reads ident on the unix socket as peer.
  if (type === "local" && method === "ident") method = "peer";
  if (type === "local" && method === "gss") return fail("gssapi authentication is not supported on local sockets");
  if (type !== "local" && method === "peer") return fail("peer authentication is only supported on local sockets");
  if (type !== "hostssl" && method === "cert")
    return fail("cert authentication is only supported on hostssl connections");

  const options = readOptions(type, method, fields.slice(next + 1));
  if (typeof options === "string") return fail(options);
  const missing = missingOptionError(method, options);
  if (missing) return fail(missing);

  const { source, text } = record;
  return address === undefined
    ? { type, databases, users, method, options, source, text }
    : { type, databases, users, address, method, options, source, text };
}

/** Most rules have no options: they share one empty, frozen record. */
const NO_OPTIONS: Readonly<Record<string, string>> = Object.freeze({});

/** `name=value` options (a later one with the same name wins), or the error for the first bad one. */
function readOptions(
  type: ConnectionType,
  method: string,
  fields: readonly Field[],
): Readonly<Record<string, string>> | string {
  if (fields.length === 0) return NO_OPTIONS;
  const options: Record<string, string> = {};
  for (const field of fields) {
    for (const token of field) {
      const equals = token.value.indexOf("=");
      if (equals < 0) return `authentication option not in name=value format: ${token.value}`;
      const name = token.value.slice(0, equals);
      const value = token.value.slice(equals + 1);
      const error = optionError(type, method, name, value);
      if (error) return error;
      options[name] = value;
    }
  }
  return options;
}
