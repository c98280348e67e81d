import { Option } from "commander";

import { usageError } from "../../../core/errors.js";

/**
 * A flag that was renamed: still parsed (hidden from help) so that using it fails with one line
 * naming its replacement, instead of commander's "unknown option" or, worse, a silent other meaning.
 * `--ssl` meant the server's setting in lint and the client's TLS in explain; it now means neither.
 */
export interface RenamedFlag {
  readonly option: Option;
  /** Throws a usage error (exit 2) when the old spelling was given. */
  refuse(given: unknown): void;
}

export function renamedFlag(flags: string, attribute: string, replacement: string): RenamedFlag {
  const option = new Option(flags).hideHelp();
  const name = flags.split(/[ ,]/)[0] as string;
  return {
    option,
    refuse(given: unknown): void {
      if (given !== undefined)
        throw usageError(`renamed-${attribute}`, `${name} is no longer accepted here: use ${replacement}`);
    },
  };
}
