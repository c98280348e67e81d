import type { ExitCodeValue } from "../core/errors.js";

/**
 * Thrown by a command that has already said everything (its data and reason) and only
 * needs a non-zero exit, such as `cert verify` answering no. main.ts prints nothing more.
 */
export class ExitSignal {
  constructor(readonly exitCode: ExitCodeValue) {}
}
