import { ExitCode, PgwardenError } from "../core/errors.js";
import { problemsError } from "./problem-list.js";

/**
 * Runs steps that may each fail on what one entry of a file says, keeping the placed problems
 * they throw (a PgwardenError with `problems`) so that all of them are reported together;
 * anything else (an unplaced or unexpected error) is thrown at once.
 */
export class ProblemCollector {
  readonly #errors: PgwardenError[] = [];

  /** `many`: what several problems are called in the summary (`problems with the declared roles`). */
  constructor(private readonly many: string) {}

  async run(step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.keep(error);
    }
  }

  runSync(step: () => unknown): void {
    try {
      step();
    } catch (error) {
      this.keep(error);
    }
  }

  /** How many errors were kept so far. */
  get size(): number {
    return this.#errors.length;
  }

  keep(error: unknown): void {
    if (!(error instanceof PgwardenError) || error.problems === undefined) throw error;
    this.#errors.push(error);
  }

  /** Throws what was kept: one error as it was, several as one (exit 3) listing every problem. */
  throwIfAny(): void {
    const [first, ...others] = this.#errors;
    if (!first) return;
    if (others.length === 0) throw first;
    const exitCode = this.#errors.every((error) => error.exitCode === first.exitCode)
      ? first.exitCode
      : ExitCode.config;
    throw problemsError(
      first.code,
      this.#errors.flatMap((error) => error.problems ?? []),
      exitCode,
      { many: this.many },
    );
  }
}
