import type { ExitCodeValue } from "../core/errors.js";

/**
 * Thrown by a command that has already said everything (its data and reason) and only
 * needs a non-zero exit, such as `cert verify` answering no. main.ts prints nothing more.
 * An Error so that it is thrown like any other (and carries a stack for debugging a stray one).
 */
export class ExitSignal extends Error {
  constructor(readonly exitCode: ExitCodeValue) {
    super(`exit ${exitCode}: the command has already said why`);
    this.name = "ExitSignal";
  }
}
