import { createHash } from "node:crypto";

import type pg from "pg";

import { PgwardenError } from "../core/errors.js";
import { severityRank } from "../core/finding.js";
import { compareText } from "../core/text.js";
import { openConnection } from "../pg/conninfo/open.js";
import { type ResolvedConnection } from "../pg/conninfo/resolve.js";
import { isInsufficientPrivilege, sqlState } from "../pg/sqlstate.js";
import { type AuditCheck, type CheckContext, type FindingDraft } from "./audit-check.js";
import { type AuditFinding } from "./audit-finding.js";
import { type AuditTarget, type InventoryTarget, type ServerTarget } from "./audit-target.js";
import { type Fact, type FactSource, FactUnavailable, type Unavailability } from "./fact.js";
import {
  type AuditReport,
  type CertificateSighting,
  type CheckNotRun,
  type CheckRun,
  type TargetResult,
} from "./report/audit-report.js";
import { scoreChecks } from "./score.js";
import { serialQueries } from "./serial-queries.js";
import { soc2Table } from "./soc2-table.js";
import { targetUnreachable } from "./target-unreachable.js";

/** SQLSTATEs of a lock not granted within lock_timeout, and of a statement cancelled by statement_timeout. */
const LOCK_NOT_AVAILABLE = "55P03";
const QUERY_CANCELED = "57014";

export interface AuditOptions {
  readonly now: Date;
  /** The checks to run (default: every check, {@link ALL_CHECKS}). */
  readonly checks: readonly AuditCheck[];
  /** pgwarden's version, written into the report. */
  readonly version: string;
  /** Servers audited at once (default 8). */
  readonly concurrency?: number;
  /** Called as each target is finished. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What one target's audit produced, before the fleet's results are put together. */
interface TargetOutcome {
  readonly result: TargetResult;
  readonly findings: AuditFinding[];
  readonly runs: CheckRun[];
  readonly notRun: CheckNotRun[];
  readonly certificates: CertificateSighting[];
}

/**
 * Audits every target (servers concurrently, `concurrency` at a time) with every check that
 * applies to it, and puts the results into one report: findings worst first, what could not
 * run and why, the scores and the SOC 2 table. Read-only: the checks judge facts read from
 * catalog views, settings and files; nothing is written to any server. A server that cannot
 * be reached is a finding, not an error; a bug in a check is an error.
 */
export async function runAudit(targets: readonly AuditTarget[], options: AuditOptions): Promise<AuditReport> {
  let done = 0;
  const outcomes = await mapConcurrently(targets, options.concurrency ?? 8, async (target) => {
    const outcome =
      target.kind === "server" ? await auditServer(target, options) : await auditInventory(target, options);
    options.onProgress?.(++done, targets.length);
    return outcome;
  });
  const findings = outcomes.flatMap((outcome) => outcome.findings).sort(worstFirst);
  const runs = outcomes.flatMap((outcome) => outcome.runs);
  const notRun = outcomes.flatMap((outcome) => outcome.notRun);
  return {
    tool: "pgwarden",
    version: options.version,
    generatedAt: options.now.toISOString(),
    targets: outcomes.map((outcome) => outcome.result),
    findings,
    checks: runs,
    notRun,
    scores: scoreChecks(runs),
    soc2: soc2Table([...options.checks, targetUnreachable], runs, notRun, findings),
    certificates: outcomes.flatMap((outcome) => outcome.certificates),
  };
}

/** How long the audit waits for a lock another session holds before the fact that needs it is "failed". */
export const AUDIT_LOCK_TIMEOUT = "2s";
/** How long one statement of the audit may run before the server cancels it and its fact is "failed". */
export const AUDIT_STATEMENT_TIMEOUT = "10s";

/**
 * The connection with each statement of the audit's own sessions bounded (session state, gone when they end: nothing
 * on the server changes), so a lock held elsewhere or a statement that never ends makes a fact "failed" instead of a
 * hang. Given as startup options, not SET: resolving a SET or set_config() itself reads the catalog, which a lock on
 * pg_proc would block before the bound is in force.
 */
function bounded(connection: ResolvedConnection): ResolvedConnection {
  const bounds = `-c lock_timeout=${AUDIT_LOCK_TIMEOUT} -c statement_timeout=${AUDIT_STATEMENT_TIMEOUT}`;
  return { ...connection, options: connection.options ? `${connection.options} ${bounds}` : bounds };
}

async function auditServer(target: ServerTarget, options: AuditOptions): Promise<TargetOutcome> {
  let client: pg.Client;
  try {
    client = await openConnection(bounded(target.connection), `cannot log in to ${target.name}`);
  } catch (error) {
    if (!(error instanceof PgwardenError)) throw error;
    return unreachable(target, error.message);
  }
  try {
    // No catalog read here (is_superuser is the session's own): a lock held on pg_authid cannot stop the audit here.
    let who;
    try {
      who = await client.query<{ version: string; user: string; superuser: boolean; pid: number }>(
        `SELECT current_setting('server_version') AS version, current_user AS user, pg_catalog.pg_backend_pid() AS pid,
          current_setting('is_superuser') = 'on' AS superuser`,
      );
    } catch (error) {
      if (!isServerError(error)) throw error;
      return unreachable(
        target,
        `logged in to ${target.name}, but its first query failed: ${serverErrorReason(error)}`,
      );
    }
    const row = who.rows[0];
    const auditBackends = new Set<number>(row ? [row.pid] : []);
    const source: FactSource = {
      kind: "server",
      connection: target.connection,
      client: serialQueries(client),
      now: options.now,
      pgdata: target.pgdata,
      inventory: target.inventory,
      trustedCa: target.trustedCa,
      auditBackends,
      get: memo(() => source),
      inDatabase: async (database, work) => {
        const other = await openConnection(
          bounded({ ...target.connection, dbname: database }),
          `cannot connect to database ${database} on ${target.name}`,
        );
        try {
          const own = await other.query<{ pid: number }>("SELECT pg_catalog.pg_backend_pid() AS pid");
          for (const { pid } of own.rows) auditBackends.add(pid);
          return await work(other);
        } finally {
          await other.end().catch(() => undefined);
        }
      },
    };
    const result: TargetResult = {
      name: target.name,
      kind: "server",
      reachable: true,
      serverVersion: row?.version,
      user: row?.user,
      superuser: row?.superuser,
      cluster: target.inventory?.cluster,
    };
    return await runChecks(target.name, result, source, options);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function auditInventory(target: InventoryTarget, options: AuditOptions): Promise<TargetOutcome> {
  const source: FactSource = {
    kind: "inventory",
    inventory: target.inventory,
    now: options.now,
    get: memo(() => source),
  };
  return runChecks(target.name, { name: target.name, kind: "inventory", reachable: true }, source, options);
}

/** Each fact collected once per target, on first ask; concurrent asks share the collection. */
function memo(source: () => FactSource): <T>(fact: Fact<T, never>) => Promise<T> {
  const collected = new Map<string, Promise<unknown>>();
  return <T>(fact: Fact<T, never>): Promise<T> => {
    let pending = collected.get(fact.id);
    if (!pending) {
      pending = (fact as unknown as Fact<T, FactSource>).collect(source());
      pending.catch(() => undefined);
      collected.set(fact.id, pending);
    }
    return pending as Promise<T>;
  };
}

/**
 * The fact, or why it cannot be had. The server refusing for a privilege (SQLSTATE 42501) is a privilege
 * unavailability, any other error of the server (a lock or statement timeout, a bad file it reads) is "failed":
 * neither ends the audit. Anything else thrown is a bug and goes up.
 */
async function settle<T>(source: FactSource, fact: Fact<T, never>): Promise<{ value?: T; missing?: Unavailability }> {
  try {
    return { value: await source.get(fact) };
  } catch (error) {
    const missing = unavailabilityOf(error);
    if (missing) return { missing };
    throw error;
  }
}

/** Why a fact could not be had, from what its collector threw; undefined for a bug. */
export function unavailabilityOf(error: unknown): Unavailability | undefined {
  if (error instanceof FactUnavailable) return error.unavailability;
  if (isInsufficientPrivilege(error))
    return {
      kind: "privilege",
      reason: `the server refused: ${(error as Error).message}`,
      grant: `log in as a superuser, or grant the role what the server names ("${(error as Error).message}")`,
    };
  if (isServerError(error)) return { kind: "failed", reason: serverErrorReason(error) };
  if (error instanceof PgwardenError) return { kind: "failed", reason: error.message };
  return undefined;
}

/** An error the server sent (node-postgres's DatabaseError: a severity and a five-character SQLSTATE). */
function isServerError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as { severity?: unknown }).severity === "string" &&
    /^[0-9A-Z]{5}$/.test(sqlState(error) ?? "")
  );
}

function serverErrorReason(error: Error & { code: string }): string {
  if (error.code === LOCK_NOT_AVAILABLE)
    return `another session holds a lock the audit needs (waited ${AUDIT_LOCK_TIMEOUT}): ${error.message}`;
  if (error.code === QUERY_CANCELED)
    return `the server did not answer within ${AUDIT_STATEMENT_TIMEOUT} (statement_timeout): ${error.message}`;
  return `the server said: ${error.message} (SQLSTATE ${error.code})`;
}

async function runChecks(
  name: string,
  result: TargetResult,
  source: FactSource,
  options: AuditOptions,
): Promise<TargetOutcome> {
  const checks = options.checks.filter((check) => check.scope === source.kind);
  const outcome: TargetOutcome = { result, findings: [], runs: [], notRun: [], certificates: [] };
  const facts = new Map<string, { value?: unknown; missing?: Unavailability }>();
  const wanted = new Map<string, Fact<unknown, never>>();
  for (const check of checks)
    for (const fact of [...check.facts, ...(check.optionalFacts ?? [])]) wanted.set(fact.id, fact);
  await Promise.all([...wanted.values()].map(async (fact) => facts.set(fact.id, await settle(source, fact))));

  for (const check of checks) {
    const missing = check.facts.map((fact) => facts.get(fact.id)?.missing).find((entry) => entry !== undefined);
    if (missing) {
      if (missing.kind === "not-applicable") continue;
      outcome.notRun.push({
        check: check.id,
        title: check.title,
        target: name,
        layer: check.layer,
        reason: missing.reason,
        ...(missing.kind === "privilege" ? { grant: missing.grant } : {}),
      });
      continue;
    }
    const context: CheckContext = {
      now: options.now,
      target: name,
      fact: <T>(fact: Fact<T, never>) => {
        const entry = facts.get(fact.id);
        if (!entry || entry.missing) throw new Error(`check ${check.id} read fact ${fact.id} it did not declare`);
        return entry.value as T;
      },
      optional: <T>(fact: Fact<T, never>) => facts.get(fact.id)?.value as T | undefined,
      sawCertificate: (certificate) => outcome.certificates.push({ target: name, ...certificate }),
    };
    const drafts = await check.run(context);
    outcome.findings.push(...drafts.map((draft) => findingOf(check, name, draft)));
    outcome.runs.push({
      check: check.id,
      target: name,
      layer: check.layer,
      severity: check.severity,
      passed: drafts.length === 0,
    });
  }
  return outcome;
}

function unreachable(target: ServerTarget, reason: string): TargetOutcome {
  const finding = findingOf(targetUnreachable, target.name, {
    subject: target.name,
    message: reason,
    evidence: [{ label: "connection", value: target.name }],
  });
  return {
    result: { name: target.name, kind: "server", reachable: false, error: reason, cluster: target.inventory?.cluster },
    findings: [finding],
    runs: [{ check: targetUnreachable.id, target: target.name, layer: "network", severity: "high", passed: false }],
    notRun: [],
    certificates: [],
  };
}

/** The check's metadata, the target and a fingerprint around what the check said. */
export function findingOf(check: AuditCheck, target: string, draft: FindingDraft): AuditFinding {
  const id = draft.id ?? check.id;
  return {
    id,
    title: draft.title ?? check.title,
    severity: draft.severity ?? check.severity,
    layer: check.layer,
    soc2: check.soc2,
    ...(check.cis === undefined ? {} : { cis: check.cis }),
    target,
    subject: draft.subject,
    message: draft.message,
    why: draft.why ?? check.why,
    fix: draft.fix ?? check.fix,
    evidence: draft.evidence,
    ...(draft.source === undefined ? {} : { source: draft.source }),
    fingerprint: createHash("sha256").update(`${id}\0${target}\0${draft.subject}`).digest("hex").slice(0, 16),
  };
}

function worstFirst(a: AuditFinding, b: AuditFinding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.target, b.target) ||
    compareText(a.id, b.id) ||
    compareText(a.subject, b.subject)
  );
}

async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
