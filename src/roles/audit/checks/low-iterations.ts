import { DEFAULT_SCRAM_ITERATIONS } from "../../scram.js";
import type { PasswordCheck } from "../password-check.js";

export const lowIterations: PasswordCheck = {
  id: "low-iterations",
  severity: "medium",
  title: "SCRAM verifier with few iterations",
  why: `each guess against a SCRAM verifier costs its iteration count in HMACs; below PostgreSQL's default of ${DEFAULT_SCRAM_ITERATIONS} a stolen verifier is cracked that many times faster`,
  fix: `set the password again with at least ${DEFAULT_SCRAM_ITERATIONS} iterations (pgwarden password hash --scram-iterations N, or pgwarden role apply)`,
  check: ({ secret }) =>
    secret.kind === "scram" && secret.verifier.iterations < DEFAULT_SCRAM_ITERATIONS
      ? {
          message: `the SCRAM verifier uses ${secret.verifier.iterations} iterations (fewer than ${DEFAULT_SCRAM_ITERATIONS})`,
        }
      : undefined,
};
