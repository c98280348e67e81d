import type { Command } from "commander";

import { contextOf } from "../../context.js";

/** Verbs that read a key/certificate pair without writing one (the writers recover by themselves). */
const PAIR_READERS = new Set(["export", "verify"]);

/**
 * A `preAction` hook of `cert`: before a verb reads pairs, a replacement that a killed
 * pgwarden left half done is finished (`pki/issuing/pair-journal.ts`), so it never hands out a key
 * with another pair's certificate. A PKI it cannot write to (or none) is left to the verb.
 */
export async function recoverBeforeReading(_cert: Command, action: Command): Promise<void> {
  if (!PAIR_READERS.has(action.name())) return;
  const { recoverInterruptedWrites } = await import("../../../pki/issuing/pair-journal.js");
  // A missing or refused PKI is the verb's to report, if it needs the PKI at all (verify --ca does not).
  await Promise.resolve()
    .then(() => recoverInterruptedWrites(contextOf(action).layout))
    .catch(() => undefined);
}
