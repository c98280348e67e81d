import { type AuditCheck, type CheckContext, type FindingDraft } from "../../src/audit/audit-check.js";
import { type Fact } from "../../src/audit/fact.js";
import { type Setting, type Settings } from "../../src/audit/facts/settings.js";
import { type CertificateSighting } from "../../src/audit/report/audit-report.js";

/** A fact and the literal value a unit test gives it. */
export type LiteralFact = readonly [Fact<unknown, never>, unknown];

/** What a check said on literal facts, and the certificates it put on the timeline. */
export interface LiteralRun {
  readonly drafts: readonly FindingDraft[];
  readonly sightings: readonly Omit<CertificateSighting, "target">[];
}

/**
 * Runs a check on literal facts, as the runner would once they are collected: a declared fact
 * missing from `facts` is a test bug (thrown); an optional one is undefined.
 */
export async function runOnFacts(check: AuditCheck, facts: readonly LiteralFact[], now: Date): Promise<LiteralRun> {
  const values = new Map(facts.map(([fact, value]) => [fact.id, value]));
  const sightings: Omit<CertificateSighting, "target">[] = [];
  const context: CheckContext = {
    now,
    target: "127.0.0.1:5432",
    fact: <T>(fact: Fact<T, never>) => {
      if (!values.has(fact.id)) throw new Error(`no literal value for fact ${fact.id}`);
      return values.get(fact.id) as T;
    },
    optional: <T>(fact: Fact<T, never>) => values.get(fact.id) as T | undefined,
    sawCertificate: (sighting) => sightings.push(sighting),
  };
  return { drafts: await check.run(context), sightings };
}

/** pg_settings as literal values, each set in postgresql.conf at a line of its own. */
export function literalSettings(values: Readonly<Record<string, string>>): Settings {
  const settings = new Map<string, Setting>();
  Object.entries(values).forEach(([name, value], index) =>
    settings.set(name, {
      name,
      value,
      source: "configuration file",
      file: { file: "/data/postgresql.conf", line: index + 1 },
      pendingRestart: false,
    }),
  );
  return settings;
}
