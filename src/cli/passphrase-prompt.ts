import { StringDecoder } from "node:string_decoder";

import { usageError } from "../core/errors.js";

/** Whether a person is there to answer: stdin and stderr (where the prompt goes) are terminals. */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

const ENTER = new Set(["\r", "\n"]);
const ERASE = new Set(["\u007f", "\b"]);
const INTERRUPT = "\u0003";
const END_OF_INPUT = "\u0004";
const KILL_LINE = "\u0015";

/**
 * One line typed on the terminal without echo, as openssl and step read passwords: raw mode, so the
 * characters never show; backspace and Ctrl-U edit; Ctrl-C interrupts (the process ends by SIGINT,
 * exit 130, before anything is written); Ctrl-D on an empty line ends the input (empty).
 */
function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  // Raw before the prompt shows: whatever is typed once it is visible is never echoed.
  input.setRawMode(true);
  input.resume();
  process.stderr.write(prompt);
  const decoder = new StringDecoder("utf8");
  return new Promise((resolve) => {
    let value = "";
    const finish = (interrupted: boolean) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write("\n");
      if (interrupted) process.kill(process.pid, "SIGINT");
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of decoder.write(chunk)) {
        if (ENTER.has(char)) return finish(false);
        if (char === INTERRUPT) return finish(true);
        if (char === END_OF_INPUT) {
          if (value === "") return finish(false);
        } else if (ERASE.has(char)) value = [...value].slice(0, -1).join("");
        else if (char === KILL_LINE) value = "";
        else if (char >= " ") value += char;
      }
    };
    input.on("data", onData);
  });
}

/**
 * A passphrase for a new key, asked twice on the terminal without echo (step's way); undefined when
 * the person enters none. Two different answers are refused (exit 2) before anything is written.
 */
export async function promptNewPassphrase(what: string): Promise<string | undefined> {
  const first = await readHidden(`Passphrase to encrypt ${what} (empty for none): `);
  if (first === "") return undefined;
  const second = await readHidden("The same passphrase again: ");
  if (second !== first)
    throw usageError("passphrase-mismatch", "the two passphrases differ: nothing was written; run the command again");
  return first;
}
