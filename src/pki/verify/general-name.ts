import { children, type Node, parseNode } from "./der-walk.js";
import { type DistinguishedName, parseName } from "./distinguished-name.js";

/** GeneralName choices by their context tag number (RFC 5280 4.2.1.6). */
export const GEN_OTHERNAME = 0;
export const GEN_EMAIL = 1;
export const GEN_DNS = 2;
export const GEN_DIRNAME = 4;
export const GEN_URI = 6;
export const GEN_IPADD = 7;

export interface GeneralName {
  /** The CHOICE number: 2 dNSName, 7 iPAddress, ... */
  readonly type: number;
  /** Content octets: IA5 text, address octets (with the mask in name constraints), ... */
  readonly data: Buffer;
  /** For directoryName. */
  readonly directoryName?: DistinguishedName;
}

export function parseGeneralName(node: Node): GeneralName {
  const type = node.tag & 0x1f;
  if (type === GEN_DIRNAME) {
    const [name] = children(node);
    if (!name) throw new Error("empty directoryName");
    return { type, data: name.raw, directoryName: parseName(name) };
  }
  return { type, data: node.content };
}

/** GeneralNames ::= SEQUENCE OF GeneralName (the value of a subjectAltName extension). */
export function parseGeneralNames(der: Buffer): GeneralName[] {
  return children(parseNode(der)).map(parseGeneralName);
}

/** Human form for messages. */
export function generalNameText(name: GeneralName): string {
  switch (name.type) {
    case GEN_DNS:
      return `DNS:${name.data.toString("latin1")}`;
    case GEN_EMAIL:
      return `email:${name.data.toString("latin1")}`;
    case GEN_URI:
      return `URI:${name.data.toString("latin1")}`;
    case GEN_IPADD:
      return `IP:${ipText(name.data)}`;
    default:
      return `type ${name.type}`;
  }
}

/** Address octets as text (a name constraint's 8 or 32 octets: address/mask). */
export function ipText(data: Buffer): string {
  const v4 = (b: Buffer) => [...b].join(".");
  const v6 = (b: Buffer) =>
    Array.from({ length: b.length / 2 }, (_, i) => b.readUInt16BE(i * 2).toString(16)).join(":");
  if (data.length === 4) return v4(data);
  if (data.length === 16) return v6(data);
  if (data.length === 8) return `${v4(data.subarray(0, 4))}/${v4(data.subarray(4))}`;
  if (data.length === 32) return `${v6(data.subarray(0, 16))}/${v6(data.subarray(16))}`;
  return `<${data.length} octets>`;
}
