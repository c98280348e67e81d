import { readFileSync, statSync } from "node:fs";

/** The host a passfile line's first field matches for the default socket directory (libpq's DefaultHost). */
const DEFAULT_HOST = "localhost";

/** What libpq matches a passfile line against. */
export interface PassfileQuery {
  /** The host (a name, an address or a socket directory). */
  readonly host: string;
  readonly port: string;
  readonly dbname: string;
  readonly user: string;
  /** The socket directory that counts as `localhost` (libpq's DEFAULT_PGSOCKET_DIR). */
  readonly defaultSocketDirectory: string;
}

export type PassfileAnswer =
  { readonly password: string } | { readonly password?: undefined; readonly warning?: string };

/** One field of a line against `token` (libpq's pwdfMatchesString): `*` matches anything, `\` escapes. The rest of the line after it, or undefined. */
function matchField(line: string, token: string): string | undefined {
  if (line === "") return undefined;
  if (line.startsWith("*:")) return line.slice(2);
  let t = 0;
  for (let i = 0; i < line.length; i++) {
    let escaped = false;
    if (line[i] === "\\") {
      i++;
      escaped = true;
    }
    if (line[i] === ":" && t === token.length && !escaped) return line.slice(i + 1);
    if (t === token.length || line[i] !== token[t]) return undefined;
    t++;
  }
  return undefined;
}

/** The password field: up to the first unescaped `:`, a backslash taking the next character. */
function unescapePassword(rest: string): string {
  let password = "";
  for (let i = 0; i < rest.length && rest[i] !== ":"; i++) {
    if (rest[i] === "\\" && i + 1 < rest.length) i++;
    password += rest[i];
  }
  return password;
}

/**
 * The password for `query` in the passfile `file`, as libpq finds it (fe-connect.c
 * passwordFromFile): a missing file is no answer; a file that is not a plain file or that
 * group or others may read is ignored with libpq's warning; the first matching line wins.
 */
export function passwordFromFile(file: string, query: PassfileQuery): PassfileAnswer {
  if (query.dbname === "" || query.user === "") return {};
  const host = query.host === "" || query.host === query.defaultSocketDirectory ? DEFAULT_HOST : query.host;
  let mode: number;
  try {
    const info = statSync(file);
    if (!info.isFile()) return { warning: `password file "${file}" is not a plain file` };
    mode = info.mode;
  } catch {
    return {};
  }
  if ((mode & 0o077) !== 0)
    return { warning: `password file "${file}" has group or world access; permissions should be u=rw (0600) or less` };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  for (const raw of text.split("\n")) {
    if (raw.startsWith("#")) continue;
    const line = raw.replace(/[\r\n]+$/, "");
    if (line === "") continue;
    let rest: string | undefined = line;
    for (const token of [host, query.port, query.dbname, query.user]) {
      rest = matchField(rest, token);
      if (rest === undefined) break;
    }
    if (rest !== undefined) return { password: unescapePassword(rest) };
  }
  return {};
}
