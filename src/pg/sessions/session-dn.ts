/*
 * Distinguished names as PostgreSQL shows them in pg_stat_ssl and as Node's X509Certificate
 * writes them (one `TYPE=value` a line, in certificate order), brought to one comparable form:
 * the attributes in certificate order, unescaped. PostgreSQL 15 writes client_dn and issuer_dn
 * with X509_NAME_oneline (`/C=FR/O=Example/CN=pgwarden-ca`, found on a real server); the RFC 2253
 * form (`CN=pgwarden-ca,O=Example,C=FR`, most specific first) is read too, for servers that use it.
 */

/** One attribute's start in a oneline name: `/TYPE=`; a `/` not followed by one belongs to the value. */
const ONELINE_ATTRIBUTE = /^[A-Za-z][A-Za-z0-9.]*=/;

/** The attributes of a X509_NAME_oneline name (`/C=FR/CN=x`), in certificate order. */
export function onelineAttributes(text: string): string[] {
  const attributes: string[] = [];
  for (const part of text.slice(1).split("/")) {
    if (attributes.length > 0 && !ONELINE_ATTRIBUTE.test(part)) attributes[attributes.length - 1] += `/${part}`;
    else attributes.push(part);
  }
  return attributes;
}

/** The attributes of a DN as pg_stat_ssl shows it, oneline or RFC 2253, in certificate order. */
export function sessionDnAttributes(text: string): string[] {
  return text.startsWith("/") ? onelineAttributes(text) : rfc2253Attributes(text);
}

/** The attributes of an RFC 2253 name in certificate order (the text's reverse), each `TYPE=value` unescaped. */
export function rfc2253Attributes(text: string): string[] {
  const rdns: string[][] = [[]];
  let current = "";
  const flush = (separator: "," | "+" | "end") => {
    (rdns[rdns.length - 1] as string[]).push(current);
    current = "";
    if (separator === ",") rdns.push([]);
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (char === "\\") {
      const hex = /^[0-9a-fA-F]{2}/.exec(text.slice(index + 1, index + 3));
      if (hex) {
        current += String.fromCharCode(Number.parseInt(hex[0], 16));
        index += 2;
      } else {
        current += text[index + 1] ?? "";
        index += 1;
      }
    } else if (char === "," || char === "+") flush(char);
    else current += char;
  }
  flush("end");
  return rdns
    .reverse()
    .flat()
    .map((attribute) => attribute.trim());
}

/** The attributes of a name as Node's X509Certificate `subject`/`issuer` writes it, in certificate order. */
export function nodeNameAttributes(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => line.trim());
}

/** One string per name, equal for the same attributes in the same order (types compared case-insensitively). */
export function nameKey(attributes: readonly string[]): string {
  return attributes
    .map((attribute) => {
      const equals = attribute.indexOf("=");
      return `${attribute.slice(0, equals).toUpperCase()}=${attribute.slice(equals + 1)}`;
    })
    .join("\n");
}
