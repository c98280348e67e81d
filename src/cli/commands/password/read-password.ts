import { usageError } from "../../../core/errors.js";

const CTRL_C = "\u0003";
const CTRL_D = "\u0004";
const BACKSPACE = new Set(["\u007f", "\b"]);
const LINE_END = /\r?\n$/;

/**
 * Reads one password from stdin, never from argv: on a terminal it prompts on stderr
 * without echo and asks twice; from a pipe or file it takes the whole input with one
 * trailing newline removed, and refuses empty input or more than one line.
 */
export async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await promptHidden("Password: ");
    const again = await promptHidden("Again: ");
    if (first !== again) throw usageError("password-mismatch", "the two passwords typed differ");
    return checked(first);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw usageError("password-not-utf8", "the password on stdin is not valid UTF-8");
  }
  const password = text.replace(LINE_END, "");
  if (password.includes("\n"))
    throw usageError("password-lines", "stdin holds more than one line: give exactly one password");
  return checked(password);
}

function checked(password: string): string {
  if (password.length === 0) throw usageError("password-empty", "no password on stdin");
  if (password.includes("\0")) throw usageError("password-nul", "a password cannot contain a NUL character");
  return password;
}

/** A line typed on the terminal, not echoed; Ctrl-C cancels. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (error?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: string) => {
      for (const char of data) {
        if (char === CTRL_C) return finish(usageError("password-cancelled", "cancelled"));
        if (char === "\r" || char === "\n" || char === CTRL_D) return finish();
        if (BACKSPACE.has(char)) typed = [...typed].slice(0, -1).join("");
        else typed += char;
      }
    };
    stdin.on("data", onData);
  });
}
