import { type AuditCheck, type CheckContext, type FindingDraft } from "../../src/audit/audit-check.js";
import { type Fact } from "../../src/audit/fact.js";
import { type Setting, type Settings } from "../../src/audit/facts/settings.js";

/** The file every literal setting claims to come from, line by line in the order given. */
export const LITERAL_CONF = "/etc/postgresql/15/main/postgresql.conf";

/**
 * Settings as pg_settings would give them: each value from {@link LITERAL_CONF} at the line of
 * its position (1-based), so a test can check the evidence names the file and line.
 */
export function settingsOf(values: Readonly<Record<string, string>>): Settings {
  return new Map(
    Object.entries(values).map(([name, value], index): [string, Setting] => [
      name,
      {
        name,
        value,
        source: "configuration file",
        file: { file: LITERAL_CONF, line: index + 1 },
        pendingRestart: false,
      },
    ]),
  );
}

/** A fact and the value a test gives it. */
export type LiteralFact = readonly [Fact<unknown, never>, unknown];

/** Runs a check on literal facts, as the runner would once it collected them (a fact not given is missing). */
export async function runOnFacts(
  check: AuditCheck,
  facts: readonly LiteralFact[],
  now = new Date("2026-06-01T00:00:00Z"),
): Promise<readonly FindingDraft[]> {
  const values = new Map(facts.map(([fact, value]) => [fact.id, value]));
  for (const fact of check.facts)
    if (!values.has(fact.id)) throw new Error(`test gave ${check.id} no value for its fact ${fact.id}`);
  const context: CheckContext = {
    now,
    target: "127.0.0.1:5432",
    fact: <T>(fact: Fact<T, never>) => values.get(fact.id) as T,
    optional: <T>(fact: Fact<T, never>) => values.get(fact.id) as T | undefined,
    sawCertificate: () => undefined,
  };
  return check.run(context);
}
