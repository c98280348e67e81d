import { isIPv6 } from "node:net";

import type { CertificateFacts } from "../verify/certificate-facts.js";
import { attributesOf, OID_COMMON_NAME } from "../verify/distinguished-name.js";
import { GEN_DNS, GEN_IPADD, ipText } from "../verify/general-name.js";

/**
 * libpq's host name check for sslmode=verify-full (PostgreSQL 15, fe-secure-openssl.c
 * pgtls_verify_peer_name_matches_certificate_guts and fe-secure-common.c), rule for rule:
 * - every dNSName SAN is compared with the host as text (also when the host is an IP
 *   address): case-insensitively, or as a wildcard whose pattern starts with `*.`, where `*`
 *   matches one label's characters (no partial-label wildcards such as `pg*.example.com`);
 * - every iPAddress SAN is compared with the host as an address (inet_aton for 4 octets,
 *   so `127.1` is 127.0.0.1; inet_pton for 16);
 * - the first CN is compared like a dNSName, but only when no SAN has the host's type
 *   (dNSName for a name, iPAddress for an address): so an IP address only in the CN passes
 *   for host=IP, even beside dNSName SANs.
 */
export interface HostNameVerdict {
  readonly ok: boolean;
  /** libpq's words when it refuses. */
  readonly message?: string;
}

/** inet_aton (glibc): 1 to 4 parts, each decimal, octal (0...) or hex (0x...), the last filling the rest. */
export function inetAton(text: string): Buffer | undefined {
  const end = text.search(/[\t\n\v\f\r ]/);
  const address = end >= 0 ? text.slice(0, end) : text;
  const parts = address.split(".");
  if (parts.length > 4 || parts.some((part) => part.length === 0)) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    const match = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(part);
    if (!match) return undefined;
    const value = /^0[xX]/.test(part)
      ? parseInt(part.slice(2), 16)
      : part.startsWith("0")
        ? parseInt(part, 8) || 0
        : parseInt(part, 10);
    values.push(value);
  }
  const last = values.pop() as number;
  if (values.some((value) => value > 255) || last >= 2 ** (8 * (4 - values.length))) return undefined;
  const out = Buffer.alloc(4);
  values.forEach((value, i) => (out[i] = value));
  for (let i = 3, rest = last; i >= values.length; i--, rest = Math.floor(rest / 256)) out[i] = rest % 256;
  return out;
}

/** inet_pton(AF_INET6): 16 octets, or undefined (no zone index). */
export function inetPton6(text: string): Buffer | undefined {
  if (!isIPv6(text) || text.includes("%")) return undefined;
  let groups = text;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(groups);
  if (v4) {
    tail.push(...(v4[1] as string).split(".").map(Number));
    groups = groups.slice(0, -(v4[1] as string).length) + "0:0";
  }
  const [head, rest] = groups.split("::") as [string, string | undefined];
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const words =
    rest === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  words.forEach((word, i) => out.writeUInt16BE(word, i * 2));
  if (v4) tail.forEach((octet, i) => (out[12 + i] = octet));
  return out;
}

const lowerAscii = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** wildcard_certificate_match (fe-secure-common.c). Strings are bytes as latin1. */
function wildcardMatch(pattern: string, host: string): boolean {
  if (pattern.length < 3 || !pattern.startsWith("*.")) return false;
  if (pattern.length > host.length) return false;
  if (lowerAscii(pattern.slice(1)) !== lowerAscii(host.slice(host.length - pattern.length + 1))) return false;
  const firstDot = host.indexOf(".");
  return !(firstDot >= 0 && firstDot < host.length - pattern.length);
}

type Match = 1 | 0 | { error: string };

function nameMatches(name: Buffer, host: string): Match {
  if (name.includes(0)) return { error: "SSL certificate's name contains embedded null" };
  const text = name.toString("latin1");
  const hostBytes = Buffer.from(host, "utf8").toString("latin1");
  return lowerAscii(text) === lowerAscii(hostBytes) || wildcardMatch(text, hostBytes) ? 1 : 0;
}

function addressMatches(octets: Buffer, host: string): Match {
  if (octets.length === 4) return inetAton(host)?.equals(octets) ? 1 : 0;
  if (octets.length === 16) return inetPton6(host)?.equals(octets) ? 1 : 0;
  return { error: `certificate contains IP address with invalid length ${octets.length}` };
}

const isIpAddress = (host: string) => inetAton(host) !== undefined || inetPton6(host) !== undefined;

/** Does the certificate name `host`, as libpq decides for sslmode=verify-full. */
export function libpqHostNameMatch(cert: CertificateFacts, host: string): HostNameVerdict {
  if (host === "") return { ok: false, message: "host name must be specified for a verified SSL connection" };
  const hostType = isIpAddress(host) ? GEN_IPADD : GEN_DNS;
  const names: string[] = [];
  let checkCn = true;
  let result: Match = 0;
  for (const san of cert.subjectAltName ?? []) {
    if (san.type === hostType) checkCn = false;
    if (san.type === GEN_DNS) {
      names.push(san.data.toString("latin1"));
      result = nameMatches(san.data, host);
    } else if (san.type === GEN_IPADD) {
      if (san.data.length === 4 || san.data.length === 16) names.push(ipText(san.data));
      result = addressMatches(san.data, host);
    }
    if (result !== 0) {
      checkCn = false;
      break;
    }
  }
  if (checkCn) {
    const [cn] = attributesOf(cert.subject, OID_COMMON_NAME);
    if (cn) {
      names.push(cn.data.toString("latin1"));
      result = nameMatches(cn.data, host);
    }
  }
  if (result === 1) return { ok: true };
  if (typeof result === "object") return { ok: false, message: result.error };
  if (names.length === 0) return { ok: false, message: "could not get server's host name from server certificate" };
  const others = names.length - 1;
  const more = others === 0 ? "" : ` (and ${others} other name${others === 1 ? "" : "s"})`;
  return { ok: false, message: `server certificate for "${names[0]}"${more} does not match host name "${host}"` };
}
