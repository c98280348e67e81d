import { type HbaToken } from "../../core/auth-file-tokens.js";

/**
 * A database or role token starting with `/` is a regular expression (PostgreSQL 16+).
 * PostgreSQL looks only at the first character, so a quoted `"/^a,b$"` is one too: quoting is
 * how a pattern holds a comma. The match is not anchored, as in PostgreSQL; write `^...$`.
 * PostgreSQL's advanced regular expressions are read as JavaScript ones: the common syntax
 * agrees, POSIX classes such as `[[:alpha:]]` do not.
 */
export function isRegexToken(token: HbaToken): boolean {
  return token.value.startsWith("/");
}

/** Each pattern compiled once, however many rules and connections use it. */
const compiled = new Map<string, RegExp | SyntaxError>();

function compile(pattern: string): RegExp | SyntaxError {
  let result = compiled.get(pattern);
  if (result === undefined) {
    try {
      result = new RegExp(pattern);
    } catch (error) {
      result = error instanceof SyntaxError ? error : new SyntaxError(String(error));
    }
    compiled.set(pattern, result);
  }
  return result;
}

/** The token's regular expression; undefined when it is not one or does not compile. */
export function tokenRegex(token: HbaToken): RegExp | undefined {
  if (!isRegexToken(token)) return undefined;
  const result = compile(token.value.slice(1));
  return result instanceof RegExp ? result : undefined;
}

/** PostgreSQL's message for a pattern that does not compile; undefined when it is fine. */
export function tokenRegexError(token: HbaToken): string | undefined {
  if (!isRegexToken(token)) return undefined;
  const result = compile(token.value.slice(1));
  return result instanceof RegExp
    ? undefined
    : `invalid regular expression "${token.value.slice(1)}": ${result.message}`;
}
