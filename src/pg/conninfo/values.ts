import { usageError } from "../../core/errors.js";

/** libpq's sslmode values, weakest first (fe-connect.c connectOptions2). */
export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const CHANNEL_BINDINGS = ["disable", "prefer", "require"] as const;
export type ChannelBinding = (typeof CHANNEL_BINDINGS)[number];

/** libpq's ssl_min/max_protocol_version values (case-insensitive), and the empty value meaning no bound. */
export const TLS_PROTOCOL_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
export type TlsProtocolVersion = (typeof TLS_PROTOCOL_VERSIONS)[number];

export const TARGET_SESSION_ATTRS = ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"] as const;
export const GSSENC_MODES = ["disable", "prefer", "require"] as const;

/** One value checked against libpq's list; `origin` says where it came from (--conn, PGSSLMODE, a service file line). */
export function oneOf<T extends string>(keyword: string, value: string, allowed: readonly T[], origin: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(
    "bad-conn-value",
    `${origin}: invalid ${keyword} value "${value}": give one of ${allowed.join(", ")}`,
  );
}

/** libpq's parse_int_param: optional spaces and sign, digits, trailing spaces. */
export function integerValue(keyword: string, value: string, origin: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(value))
    throw usageError(
      "bad-conn-value",
      `${origin}: invalid integer value "${value}" for connection option "${keyword}"`,
    );
  return Number(value.trim());
}

const MAX_PORT = 65535;

export function portValue(value: string, origin: string): number {
  const port = integerValue("port", value, origin);
  if (port < 1 || port > MAX_PORT)
    throw usageError("bad-port", `${origin}: invalid port number "${value}": give a TCP port from 1 to ${MAX_PORT}`);
  return port;
}

export function tlsVersionValue(keyword: string, value: string, origin: string): TlsProtocolVersion | undefined {
  if (value === "") return undefined;
  const found = TLS_PROTOCOL_VERSIONS.find((version) => version.toLowerCase() === value.toLowerCase());
  if (found === undefined)
    throw usageError(
      "bad-conn-value",
      `${origin}: invalid ${keyword} value "${value}": give one of ${TLS_PROTOCOL_VERSIONS.join(", ")}`,
    );
  return found;
}
