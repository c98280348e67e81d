import type { CertificateFacts, GeneralSubtree, NameConstraintsFacts } from "./certificate-facts.js";
import {
  attributesOf,
  type DistinguishedName,
  OID_COMMON_NAME,
  OID_EMAIL_ADDRESS,
  stringValue,
} from "./distinguished-name.js";
import {
  GEN_DIRNAME,
  GEN_DNS,
  GEN_EMAIL,
  GEN_IPADD,
  GEN_OTHERNAME,
  GEN_URI,
  type GeneralName,
} from "./general-name.js";
import type { VerifyErrorName } from "./openssl-errors.js";

/** A name constraint's verdict on one name: OpenSSL's X509_V_OK or the error it raises (v3_ncons.c). */
type Outcome = "ok" | VerifyErrorName;

const lower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const ia5 = (data: Buffer) => data.toString("latin1");

function ncDns(dns: string, base: string): Outcome {
  if (base.length === 0) return "ok";
  if (dns.length < base.length) return "permittedViolation";
  let tail = dns;
  if (dns.length > base.length) {
    tail = dns.slice(dns.length - base.length);
    if (!base.startsWith(".") && dns[dns.length - base.length - 1] !== ".") return "permittedViolation";
  }
  return lower(tail) === lower(base) ? "ok" : "permittedViolation";
}

function ncEmail(email: string, base: string): Outcome {
  const baseAt = base.lastIndexOf("@");
  const emailAt = email.lastIndexOf("@");
  if (emailAt < 0) return "unsupportedNameSyntax";
  if (baseAt < 0 && base.startsWith(".")) {
    return email.length > base.length && lower(email.slice(email.length - base.length)) === lower(base)
      ? "ok"
      : "permittedViolation";
  }
  let host = base;
  if (baseAt >= 0) {
    if (baseAt > 0 && base.slice(0, baseAt) !== email.slice(0, emailAt)) return "permittedViolation";
    host = base.slice(baseAt + 1);
  }
  return lower(host) === lower(email.slice(emailAt + 1)) ? "ok" : "permittedViolation";
}

function ncUri(uri: string, base: string): Outcome {
  const colon = uri.indexOf(":");
  if (colon < 0 || uri.slice(colon + 1, colon + 3) !== "//") return "unsupportedNameSyntax";
  const rest = uri.slice(colon + 3);
  let end = rest.indexOf(":");
  if (end < 0) end = rest.indexOf("/");
  const host = end < 0 ? rest : rest.slice(0, end);
  if (host.length === 0) return "unsupportedNameSyntax";
  if (base.startsWith("."))
    return host.length > base.length && lower(host.slice(host.length - base.length)) === lower(base)
      ? "ok"
      : "permittedViolation";
  return lower(host) === lower(base) ? "ok" : "permittedViolation";
}

function ncIp(ip: Buffer, base: Buffer): Outcome {
  if (ip.length * 2 !== base.length) return "permittedViolation";
  for (let i = 0; i < ip.length; i++) {
    const mask = base[ip.length + i] ?? 0;
    if (((ip[i] ?? 0) & mask) !== ((base[i] ?? 0) & mask)) return "permittedViolation";
  }
  return "ok";
}

/** nc_dn: the base's RDNs are a leading part of the name's (canonical comparison). */
function ncDirectoryName(name: DistinguishedName, base: DistinguishedName): Outcome {
  if (base.canonical.length > name.canonical.length) return "permittedViolation";
  return base.canonical.every((rdn, i) => rdn === name.canonical[i]) ? "ok" : "permittedViolation";
}

function matchSingle(name: GeneralName, base: GeneralName): Outcome {
  switch (name.type) {
    case GEN_DIRNAME:
      return ncDirectoryName(name.directoryName as DistinguishedName, base.directoryName as DistinguishedName);
    case GEN_DNS:
      return ncDns(ia5(name.data), ia5(base.data));
    case GEN_EMAIL:
      return ncEmail(ia5(name.data), ia5(base.data));
    case GEN_URI:
      return ncUri(ia5(name.data), ia5(base.data));
    case GEN_IPADD:
      return ncIp(name.data, base.data);
    default:
      return "unsupportedConstraintType";
  }
}

/** nc_match: permitted subtrees of the name's type must hold one match; excluded must hold none. */
function ncMatch(name: GeneralName, constraints: NameConstraintsFacts): Outcome {
  const sameType = (subtree: GeneralSubtree) => subtree.base.type === name.type && name.type !== GEN_OTHERNAME;
  let match: 0 | 1 | 2 = 0;
  for (const subtree of constraints.permitted.filter(sameType)) {
    if (!subtree.plainDistance) return "subtreeMinMax";
    if (match === 2) continue;
    match = 1;
    const outcome = matchSingle(name, subtree.base);
    if (outcome === "ok") match = 2;
    else if (outcome !== "permittedViolation") return outcome;
  }
  if (match === 1) return "permittedViolation";
  for (const subtree of constraints.excluded.filter(sameType)) {
    if (!subtree.plainDistance) return "subtreeMinMax";
    const outcome = matchSingle(name, subtree.base);
    if (outcome === "ok") return "excludedViolation";
    if (outcome !== "permittedViolation") return outcome;
  }
  return "ok";
}

/** NAME_CONSTRAINTS_check: the subject (as a directory name and its email attributes) and every SAN. */
export function checkNameConstraints(cert: CertificateFacts, constraints: NameConstraintsFacts): Outcome {
  if (cert.subject.attributeCount > 0) {
    const asDirectory = ncMatch({ type: GEN_DIRNAME, data: Buffer.alloc(0), directoryName: cert.subject }, constraints);
    if (asDirectory !== "ok") return asDirectory;
    for (const email of attributesOf(cert.subject, OID_EMAIL_ADDRESS)) {
      if (email.tag !== 0x16) return "unsupportedNameSyntax";
      const outcome = ncMatch({ type: GEN_EMAIL, data: email.data }, constraints);
      if (outcome !== "ok") return outcome;
    }
  }
  for (const name of cert.subjectAltName ?? []) {
    const outcome = ncMatch(name, constraints);
    if (outcome !== "ok") return outcome;
  }
  return "ok";
}

/** A CN that cannot be a name at all (it holds a NUL): OpenSSL's X509_V_ERR_UNSUPPORTED_NAME_SYNTAX. */
const BAD_COMMON_NAME = Symbol("bad common name");

/**
 * cn2dnsid: the CN as a DNS name when it looks like one (letters, digits, `_`, inner `-`
 * and inner single dots, at least one dot), else undefined.
 */
function commonNameAsDns(value: string): string | undefined | typeof BAD_COMMON_NAME {
  if (value.includes("\0")) return BAD_COMMON_NAME;
  let text = value;
  if (text.endsWith(".")) text = text.slice(0, -1);
  if (text.length === 0) return undefined;
  let isDns = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (/[A-Za-z0-9_]/.test(c)) continue;
    if (i > 0 && i < text.length - 1) {
      if (c === "-") continue;
      if (c === "." && text[i + 1] !== "." && text[i - 1] !== "-" && text[i + 1] !== "-") {
        isDns = true;
        continue;
      }
    }
    isDns = false;
    break;
  }
  return isDns ? text : undefined;
}

/** NAME_CONSTRAINTS_check_CN: each CN that looks like a host name, as a dNSName. */
export function checkCommonNameConstraints(cert: CertificateFacts, constraints: NameConstraintsFacts): Outcome {
  for (const cn of attributesOf(cert.subject, OID_COMMON_NAME)) {
    const dns = commonNameAsDns(stringValue(cn) ?? "");
    if (dns === BAD_COMMON_NAME) return "unsupportedNameSyntax";
    if (dns === undefined) continue;
    const outcome = ncMatch({ type: GEN_DNS, data: Buffer.from(dns, "utf8") }, constraints);
    if (outcome !== "ok") return outcome;
  }
  return "ok";
}
