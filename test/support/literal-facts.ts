import { type AuditCheck, type CheckContext, type FindingDraft } from "../../src/audit/audit-check.js";
import { type Fact } from "../../src/audit/fact.js";
import { type RoleInfo } from "../../src/audit/facts/roles.js";
import { type Setting, type Settings } from "../../src/audit/facts/settings.js";
import { type CertificateSighting } from "../../src/audit/report/audit-report.js";

/** A fact and the literal value a unit test gives it. */
export type LiteralFact = readonly [Fact<unknown, never>, unknown];

/** What a check said on literal facts, and the certificates it put on the timeline. */
export interface LiteralRun {
  readonly drafts: readonly FindingDraft[];
  readonly sightings: readonly Omit<CertificateSighting, "target">[];
}

/** The audit's time when a test does not give one. */
export const LITERAL_NOW = new Date("2026-06-01T00:00:00Z");

/**
 * Runs a check on literal facts, as the runner would once they are collected: a declared fact
 * missing from `facts` (or one the check reads without declaring it) is a test bug (thrown);
 * an optional one not given is undefined.
 */
export async function runOnFacts(
  check: AuditCheck,
  facts: readonly LiteralFact[],
  now: Date = LITERAL_NOW,
): Promise<LiteralRun> {
  const values = new Map(facts.map(([fact, value]) => [fact.id, value]));
  const missing = check.facts.find((fact) => !values.has(fact.id));
  if (missing) throw new Error(`no literal value for fact ${missing.id} (${check.id} declares it)`);
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

/** The findings of {@link runOnFacts}, for the tests that look at nothing else. */
export async function draftsOnFacts(
  check: AuditCheck,
  facts: readonly LiteralFact[],
  now: Date = LITERAL_NOW,
): Promise<readonly FindingDraft[]> {
  return (await runOnFacts(check, facts, now)).drafts;
}

/** The file every literal setting claims to come from, line by line in the order given. */
export const LITERAL_CONF = "/data/postgresql.conf";

/** pg_settings as literal values, each set in {@link LITERAL_CONF} at the line of its position (1-based). */
export function literalSettings(values: Readonly<Record<string, string>>): Settings {
  const settings = new Map<string, Setting>();
  Object.entries(values).forEach(([name, value], index) =>
    settings.set(name, {
      name,
      value,
      source: "configuration file",
      file: { file: LITERAL_CONF, line: index + 1 },
      pendingRestart: false,
    }),
  );
  return settings;
}

/** A role as the roles fact gives it: a plain LOGIN role without limit or expiry, unless `attributes` say otherwise. */
export function role(name: string, attributes: Partial<RoleInfo> = {}): RoleInfo {
  return {
    name,
    superuser: false,
    login: true,
    createRole: false,
    createDb: false,
    replication: false,
    bypassRls: false,
    inherit: true,
    connectionLimit: -1,
    validUntil: null,
    memberOf: [],
    ...attributes,
  };
}
