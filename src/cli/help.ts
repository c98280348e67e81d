import type { Command } from "commander";

export const EXIT_CODES_HELP = `EXIT CODES
  0   ok
  1   a check answered no (verify failed, findings at or above --fail-on)
  2   usage or invalid input
  3   invalid config
  4   not found
  5   PostgreSQL connection or authentication failed
  6   insufficient privilege
  7   PKI failure (bad passphrase, unusable key, verification failed)
  70  internal error (a bug: please report it)
  With --format json an error is one line on stderr, {"error": {"code", "message", "exitCode"}}, and
  stdout holds one JSON document (schemas/<noun>-<verb>.schema.json); warnings are on stderr and in its "warnings".`;

export interface HelpSpec {
  /** One line for the parent's command list; default: the description's first sentence. */
  readonly summary?: string;
  /** One paragraph under DESCRIPTION (line breaks are folded; commander wraps it). */
  readonly description: string;
  /** One `$ pgwarden ...` line each. */
  readonly examples: readonly string[];
  /** What this command's exit codes mean beyond the shared list (`N  when`), shown under EXIT CODES. */
  readonly exitNotes?: readonly string[];
}

/** One help layout everywhere: synopsis, DESCRIPTION, options, EXIT CODES, EXAMPLES. */
export function describe(command: Command, spec: HelpSpec): Command {
  const description = spec.description.replace(/\s*\n\s*/g, " ");
  const firstSentence = /^.*?[.:](?=\s|$)/.exec(description)?.[0] ?? description;
  command.summary(spec.summary ?? firstSentence.replace(/[.:]$/, "")).description(description);
  const notes = spec.exitNotes?.length
    ? `\n  for this command:\n${spec.exitNotes.map((line) => `  ${line}`).join("\n")}`
    : "";
  command.addHelpText(
    "after",
    `\n${EXIT_CODES_HELP}${notes}\n\nEXAMPLES\n${spec.examples.map((line) => `  $ ${line}`).join("\n")}\n`,
  );
  return command;
}
