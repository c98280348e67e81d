import { TAG_UTF8_STRING } from "../encoding/der.js";
import { children, type Node, oidText, parseNode } from "./der-walk.js";

export const OID_COMMON_NAME = "2.5.4.3";
export const OID_EMAIL_ADDRESS = "1.2.840.113549.1.9.1";

const TAG_PRINTABLE = 0x13;
const TAG_T61 = 0x14;
const TAG_IA5 = 0x16;
const TAG_VISIBLE = 0x1a;
const TAG_UNIVERSAL = 0x1c;
const TAG_BMP = 0x1e;

export interface NameAttribute {
  readonly oid: string;
  /** The value's ASN.1 tag (string type). */
  readonly tag: number;
  /** The value's content octets, as the certificate holds them. */
  readonly data: Buffer;
}

/** A subject or issuer: its RDNs, each a set of attributes, and a canonical key per RDN. */
export interface DistinguishedName {
  readonly rdns: readonly (readonly NameAttribute[])[];
  /** OpenSSL's canonical form of each RDN (X509_NAME_cmp compares these). */
  readonly canonical: readonly string[];
  readonly attributeCount: number;
}

/** The value as UTF-8, for the string types OpenSSL canonicalizes; undefined for the others. */
export function stringValue(attribute: { tag: number; data: Buffer }): string | undefined {
  const { tag, data } = attribute;
  switch (tag) {
    case TAG_UTF8_STRING:
      return data.toString("utf8");
    case TAG_PRINTABLE:
    case TAG_IA5:
    case TAG_VISIBLE:
    case TAG_T61:
      return data.toString("latin1");
    case TAG_BMP: {
      let text = "";
      for (let i = 0; i + 1 < data.length; i += 2)
        text += String.fromCharCode(((data[i] ?? 0) << 8) | (data[i + 1] ?? 0));
      return text;
    }
    case TAG_UNIVERSAL: {
      let text = "";
      for (let i = 0; i + 3 < data.length; i += 4) text += String.fromCodePoint(data.readUInt32BE(i));
      return text;
    }
    default:
      return undefined;
  }
}

/** asn1_string_canon: trim, collapse inner whitespace, lower-case ASCII. */
function canonicalValue(attribute: NameAttribute): string {
  const text = stringValue(attribute);
  if (text === undefined) return `#${attribute.tag.toString(16)}:${attribute.data.toString("hex")}`;
  return text
    .replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "")
    .replace(/[ \t\n\v\f\r]+/g, " ")
    .replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export function parseName(node: Node): DistinguishedName {
  const rdns = children(node).map((set) =>
    children(set).map((pair) => {
      const [type, value] = children(pair);
      if (!type || !value) throw new Error("malformed name attribute");
      return { oid: oidText(type.content), tag: value.tag, data: value.content };
    }),
  );
  return {
    rdns,
    canonical: rdns.map((rdn) =>
      rdn
        .map((attribute) => `${attribute.oid}=${canonicalValue(attribute)}`)
        .sort()
        .join("+"),
    ),
    attributeCount: rdns.reduce((sum, rdn) => sum + rdn.length, 0),
  };
}

export function parseNameDer(der: Buffer): DistinguishedName {
  return parseName(parseNode(der));
}

export function sameName(a: DistinguishedName, b: DistinguishedName): boolean {
  return a.canonical.length === b.canonical.length && a.canonical.every((rdn, i) => rdn === b.canonical[i]);
}

/** Every attribute of one type, in the order the name holds them. */
export function attributesOf(name: DistinguishedName, oid: string): NameAttribute[] {
  return name.rdns.flat().filter((attribute) => attribute.oid === oid);
}

/** One line for messages: `CN=pg-1, O=pgwarden`, in the certificate's order. */
export function nameText(name: DistinguishedName): string {
  const short: Record<string, string> = {
    [OID_COMMON_NAME]: "CN",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    [OID_EMAIL_ADDRESS]: "emailAddress",
  };
  return name.rdns
    .map((rdn) => rdn.map((a) => `${short[a.oid] ?? a.oid}=${stringValue(a) ?? a.data.toString("hex")}`).join("+"))
    .join(", ");
}
