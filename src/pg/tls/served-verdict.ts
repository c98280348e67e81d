import type { PgwardenError } from "../../core/errors.js";
import { type ServedCheck, unverifiedError } from "../tls-deploy.js";

/**
 * What the server serves after `pg tls --pgdata`, in words a person acts on: not running (the
 * settings take effect when it starts), serving the installed certificate, still serving the old
 * one because nobody reloaded it, or not serving it after a reload (or with nothing to change).
 */
export type ServedState = "not-running" | "serves" | "awaiting-reload" | "not-served";

/** The facts the verdict rests on. */
export interface ServedFacts {
  readonly running: boolean;
  /** The served certificate is the installed one (undefined when nothing answered). */
  readonly matches?: boolean;
  readonly reloadAsked: boolean;
  readonly planChanged: boolean;
}

/** What the run concludes from the served certificate. */
export interface ServedVerdict {
  readonly state: ServedState;
  /**
   * The served certificate must verify against the CA (exit 7 otherwise). Without --reload a
   * changed plan is not served yet: the handshake saw the old setup, which says nothing of the new one.
   */
  readonly mustVerify: boolean;
  /** Not serving the installed certificate fails the run (exit 1): a reload did not take, or nothing changed yet it is not served. */
  readonly notServedFails: boolean;
}

export function servedVerdict(facts: ServedFacts): ServedVerdict {
  const { running, matches, reloadAsked, planChanged } = facts;
  const state: ServedState = !running
    ? "not-running"
    : matches
      ? "serves"
      : planChanged && !reloadAsked
        ? "awaiting-reload"
        : "not-served";
  return {
    state,
    mustVerify: matches === true || reloadAsked || !planChanged,
    notServedFails: running && !matches && (reloadAsked || !planChanged),
  };
}

/** What to do when the served certificate does not verify: the cause pgwarden can point at first. */
export function unverifiedHint(facts: {
  readonly overridden: readonly string[];
  readonly matches?: boolean;
  readonly certPath: string;
  readonly servername: string;
}): string {
  if (facts.overridden.length > 0)
    return `postgresql.auto.conf (ALTER SYSTEM) overrides ${facts.overridden.join(", ")}: run ALTER SYSTEM RESET for each, then pgwarden pg tls --reload`;
  if (facts.matches)
    return `pgwarden cert verify ${facts.certPath} --purpose server --host ${facts.servername} says why`;
  return "another setting points the server elsewhere: SELECT name, setting, sourcefile FROM pg_settings WHERE name LIKE 'ssl%' shows which";
}

/** The served certificate does not verify (the handshake's "verified: no"): the exit-7 error, with `hint()` on what to do. */
export function unverifiedFailure(
  served: ServedCheck,
  servername: string,
  hint: () => string,
): PgwardenError | undefined {
  return served.running && served.probe?.tls && served.probe.verified === false
    ? unverifiedError(served, servername, hint())
    : undefined;
}
