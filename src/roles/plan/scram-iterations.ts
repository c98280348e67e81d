import { usageError } from "../../core/errors.js";
import { DEFAULT_SCRAM_ITERATIONS, MAX_SCRAM_ITERATIONS } from "../scram.js";

/**
 * The iterations of the SCRAM verifiers a role plan stores, as the CLI's --scram-iterations takes them: a whole
 * number from {@link DEFAULT_SCRAM_ITERATIONS} (fewer is what the audit reports as weak) to
 * {@link MAX_SCRAM_ITERATIONS} (the most PostgreSQL reads back). Default {@link DEFAULT_SCRAM_ITERATIONS};
 * anything else is a usage error (exit 2).
 */
export function planScramIterations(iterations: unknown = DEFAULT_SCRAM_ITERATIONS): number {
  if (
    typeof iterations === "number" &&
    Number.isInteger(iterations) &&
    iterations >= DEFAULT_SCRAM_ITERATIONS &&
    iterations <= MAX_SCRAM_ITERATIONS
  )
    return iterations;
  const given = typeof iterations === "string" ? JSON.stringify(iterations) : String(iterations);
  throw usageError(
    "bad-iterations",
    `scramIterations must be a whole number from ${DEFAULT_SCRAM_ITERATIONS} to ${MAX_SCRAM_ITERATIONS}, not ${given}`,
  );
}
