import type { Command } from "commander";

/**
 * A noun of the command line (`cert`, `hba`, ...): its own command, without verbs, and a
 * loader per verb. A run loads only the verb it names, so `cert issue` does not pay for
 * the libraries `cert sign` or `cert export` need; help and unknown verbs load them all.
 */
export interface Noun {
  /** The noun's command: name, summary and description. */
  readonly command: () => Command;
  readonly verbs: Readonly<Record<string, () => Promise<Command>>>;
}

/** The noun's command with `verb` alone under it, or every verb when `verb` is none of its own. */
export async function nounCommand(noun: Noun, verb: string | undefined): Promise<Command> {
  const command = noun.command();
  const names = verb !== undefined && Object.hasOwn(noun.verbs, verb) ? [verb] : Object.keys(noun.verbs);
  const loaded = await Promise.all(names.map((name) => (noun.verbs[name] as () => Promise<Command>)()));
  for (const verbCommand of loaded) command.addCommand(verbCommand);
  return command;
}
