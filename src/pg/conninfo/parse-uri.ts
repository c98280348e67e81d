import { usageError } from "../../core/errors.js";

/** The prefixes libpq reads as a URI (fe-connect.c uri_prefix_length). */
export const URI_PREFIXES = ["postgresql://", "postgres://"] as const;

export function uriPrefixLength(text: string): number {
  return URI_PREFIXES.find((prefix) => text.startsWith(prefix))?.length ?? 0;
}

/** libpq's percent-decoding (conninfo_uri_decode): `%XX` only (no `+`), and never `%00`. */
export function percentDecode(text: string, source: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length;) {
    if (text[i] === "%") {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex))
        throw usageError(
          "bad-conn",
          `${source}: invalid percent-encoded token in the URI (a % must be followed by two hex digits; write %25 for %)`,
        );
      const byte = parseInt(hex, 16);
      if (byte === 0)
        throw usageError(
          "bad-conn",
          `${source}: forbidden value %00 (a NUL byte) in a percent-encoded value of the URI`,
        );
      bytes.push(byte);
      i += 3;
    } else {
      bytes.push(...Buffer.from(String.fromCodePoint(text.codePointAt(i) as number)));
      i += (text.codePointAt(i) as number) > 0xffff ? 2 : 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * libpq's URI form (fe-connect.c conninfo_uri_parse_options), rule for rule:
 * `postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]`, with IPv6
 * hosts in brackets, every part percent-decoded, and `ssl=true` read as `sslmode=require`.
 * Returns keyword/value pairs in order (query parameters come last and override). Messages
 * never echo the URI (it may hold a password).
 */
export function parseUri(uri: string, source: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const decoded = (text: string) => percentDecode(text, source);
  let p = uriPrefixLength(uri);
  let start = p;
  while (p < uri.length && uri[p] !== "@" && uri[p] !== "/") p++;
  if (uri[p] === "@") {
    const userinfo = uri.slice(start, p);
    const colon = userinfo.indexOf(":");
    const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
    if (user !== "") pairs.push(["user", decoded(user)]);
    if (colon !== -1 && colon < userinfo.length - 1) pairs.push(["password", decoded(userinfo.slice(colon + 1))]);
    start = p + 1;
  }
  p = start;
  const hosts: string[] = [];
  const ports: string[] = [];
  let next: string | undefined;
  for (;;) {
    let host: string;
    if (uri[p] === "[") {
      const close = uri.indexOf("]", p + 1);
      if (close === -1)
        throw usageError(
          "bad-conn",
          `${source}: end of string reached when looking for the "]" closing an IPv6 host address in the URI`,
        );
      if (close === p + 1) throw usageError("bad-conn", `${source}: an IPv6 host address may not be empty in the URI`);
      host = uri.slice(p + 1, close);
      p = close + 1;
      if (p < uri.length && !":/?,".includes(uri[p] as string)) {
        throw usageError(
          "bad-conn",
          `${source}: unexpected character "${uri[p]}" at position ${p + 1} in the URI (expected ":" or "/" after the IPv6 address)`,
        );
      }
    } else {
      const from = p;
      while (p < uri.length && !":/?,".includes(uri[p] as string)) p++;
      host = uri.slice(from, p);
    }
    hosts.push(host);
    next = uri[p];
    let port = "";
    if (next === ":") {
      const from = ++p;
      while (p < uri.length && !"/?,".includes(uri[p] as string)) p++;
      port = uri.slice(from, p);
      next = uri[p];
    }
    ports.push(port);
    if (next !== ",") break;
    p++;
  }
  const hostList = hosts.join(",");
  const portList = ports.join(",");
  if (hostList.replace(/,/g, "") !== "" || hostList.includes(",")) pairs.push(["host", decoded(hostList)]);
  if (portList.replace(/,/g, "") !== "" || portList.includes(",")) pairs.push(["port", decoded(portList)]);
  if (next === "/") {
    const from = ++p;
    while (p < uri.length && uri[p] !== "?") p++;
    const dbname = uri.slice(from, p);
    if (dbname !== "") pairs.push(["dbname", decoded(dbname)]);
    next = uri[p];
  }
  if (next === "?") pairs.push(...parseQuery(uri.slice(p + 1), source));
  return pairs;
}

/** `param=value&...` after the `?` (conninfo_uri_parse_params). */
function parseQuery(query: string, source: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (query === "") return pairs;
  const parameters = query.split("&");
  // A trailing "&" is no parameter; an empty one elsewhere is refused below, as libpq does.
  if (parameters[parameters.length - 1] === "") parameters.pop();
  for (const parameter of parameters) {
    const parts = parameter.split("=");
    if (parts.length > 2)
      throw usageError(
        "bad-conn",
        `${source}: extra key/value separator "=" in the URI query parameter "${parts[0]}" (write %3D for an = in a value)`,
      );
    if (parts.length < 2)
      throw usageError(
        "bad-conn",
        `${source}: missing key/value separator "=" in the URI query parameter "${parameter}"`,
      );
    let keyword = percentDecode(parts[0] as string, source);
    let value = percentDecode(parts[1] as string, source);
    // JDBC's spelling, read by libpq too.
    if (keyword === "ssl" && value === "true") [keyword, value] = ["sslmode", "require"];
    pairs.push([keyword, value]);
  }
  return pairs;
}
