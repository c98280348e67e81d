import assert from "node:assert/strict";
import { test } from "node:test";

import pg from "pg";

import { parseInventory } from "../config/load-inventory.js";
import { type AuditCheck } from "./audit-check.js";
import { type AuditTarget } from "./audit-target.js";
import { type Fact, FactUnavailable, type InventorySource } from "./fact.js";
import { runAudit } from "./run-audit.js";

const inventory = parseInventory("all:\n  vars:\n    pg_checksum: false\n", "pigsty.yml");
const target: AuditTarget = { kind: "inventory", name: "pigsty.yml", inventory: { inventory, file: "pigsty.yml" } };

function counting<T>(id: string, value: () => T): Fact<T, InventorySource> & { calls: number } {
  const fact = {
    id,
    scope: "inventory" as const,
    calls: 0,
    collect: () => {
      fact.calls++;
      return Promise.resolve(value());
    },
  };
  return fact;
}

function check(id: string, facts: Fact<unknown, never>[], run: AuditCheck["run"], extra: Partial<AuditCheck> = {}) {
  const made: AuditCheck = {
    id,
    title: id,
    layer: "data",
    severity: "medium",
    soc2: ["CC9.1"],
    scope: "inventory",
    why: "why",
    fix: "fix",
    facts,
    run,
    ...extra,
  };
  return made;
}

test("a fact several checks need is collected once per target", async () => {
  const shared = counting("shared", () => 42);
  const checks = [
    check("a/one", [shared], (c) => (c.fact(shared) === 42 ? [] : [{ subject: "x", message: "m", evidence: [] }])),
    check("a/two", [shared], () => []),
  ];
  const report = await runAudit([target], { now: new Date(0), checks, version: "t" });
  assert.equal(shared.calls, 1);
  assert.deepEqual(
    report.checks.map((run) => [run.check, run.passed]),
    [
      ["a/one", true],
      ["a/two", true],
    ],
  );
});

test("a missing privilege lists the check as not run with its grant; not-applicable skips it silently", async () => {
  const denied: Fact<number, InventorySource> = {
    id: "denied",
    scope: "inventory",
    collect: () => Promise.reject(new FactUnavailable({ kind: "privilege", reason: "hidden", grant: "GRANT x TO y" })),
  };
  const absent: Fact<number, InventorySource> = {
    id: "absent",
    scope: "inventory",
    collect: () => Promise.reject(new FactUnavailable({ kind: "not-applicable", reason: "no --pgdata" })),
  };
  const report = await runAudit([target], {
    now: new Date(0),
    checks: [check("a/denied", [denied], () => []), check("a/absent", [absent], () => [])],
    version: "t",
  });
  assert.deepEqual(report.notRun, [
    {
      check: "a/denied",
      title: "a/denied",
      target: "pigsty.yml",
      layer: "data",
      reason: "hidden",
      grant: "GRANT x TO y",
    },
  ]);
  assert.deepEqual(report.checks, []);
  assert.equal(report.soc2.find((row) => row.control === "CC9.1")?.status, "not assessed");
});

test("an optional fact that cannot be had reads as undefined and the check still runs", async () => {
  const absent: Fact<number, InventorySource> = {
    id: "absent",
    scope: "inventory",
    collect: () => Promise.reject(new FactUnavailable({ kind: "not-applicable", reason: "no --pgdata" })),
  };
  let seen: number | undefined = -1;
  await runAudit([target], {
    now: new Date(0),
    checks: [
      check(
        "a/optional",
        [],
        (c) => {
          seen = c.optional(absent);
          return [];
        },
        { optionalFacts: [absent] },
      ),
    ],
    version: "t",
  });
  assert.equal(seen, undefined);
});

test("findings carry the check's metadata, sort worst first, and keep their fingerprint from run to run", async () => {
  const checks = [
    check("b/low", [], () => [{ subject: "s1", message: "low one", evidence: [{ label: "l", value: "v" }] }], {
      severity: "low",
    }),
    check(
      "a/high",
      [],
      () => [
        { subject: "s2", message: "high one", evidence: [] },
        { subject: "s3", message: "critical one", evidence: [], severity: "critical", fix: "own fix" },
      ],
      { severity: "high", cis: "6.7" },
    ),
  ];
  const first = await runAudit([target], { now: new Date(0), checks, version: "t" });
  const second = await runAudit([target], { now: new Date(1000), checks, version: "t" });
  assert.deepEqual(
    first.findings.map((finding) => [finding.id, finding.severity, finding.subject, finding.fix]),
    [
      ["a/high", "critical", "s3", "own fix"],
      ["a/high", "high", "s2", "fix"],
      ["b/low", "low", "s1", "fix"],
    ],
  );
  assert.equal(first.findings[0]?.cis, "6.7");
  assert.equal(first.findings[2]?.target, "pigsty.yml");
  assert.deepEqual(
    first.findings.map((finding) => finding.fingerprint),
    second.findings.map((finding) => finding.fingerprint),
  );
  assert.equal(new Set(first.findings.map((finding) => finding.fingerprint)).size, 3);
});

test("a bug in a check (not a missing fact) ends the audit instead of hiding in the report", async () => {
  const checks = [
    check("a/buggy", [], () => {
      throw new TypeError("oops");
    }),
  ];
  await assert.rejects(runAudit([target], { now: new Date(0), checks, version: "t" }), TypeError);
});

test("a check reading a fact it did not declare is a bug, named", async () => {
  const undeclared = counting("undeclared", () => 1);
  const checks = [check("a/sloppy", [], (c) => (c.fact(undeclared) ? [] : []))];
  await assert.rejects(runAudit([target], { now: new Date(0), checks, version: "t" }), /did not declare/);
});

test("server checks do not run on the inventory target, and targets finish with progress reported", async () => {
  const progress: string[] = [];
  const report = await runAudit([target, target], {
    now: new Date(0),
    checks: [check("s/server", [], () => [{ subject: "x", message: "m", evidence: [] }], { scope: "server" })],
    version: "t",
    onProgress: (done, total) => progress.push(`${done}/${total}`),
  });
  assert.deepEqual(report.findings, []);
  assert.deepEqual(progress, ["1/2", "2/2"]);
});

/** node-postgres's own error class, as the server's ErrorResponse becomes it. */
function serverError(code: string, message: string): Error {
  return Object.assign(new pg.DatabaseError(message, 0, "error"), { code, severity: "ERROR" });
}

test("a fact the server refuses (42501, any collector) is a privilege not-run; a lock or timeout is failed, saying why", async () => {
  const refusing = (id: string, error: Error): Fact<number, InventorySource> => ({
    id,
    scope: "inventory",
    collect: () => Promise.reject(error),
  });
  const denied = refusing("denied", serverError("42501", "permission denied for view pg_file_settings"));
  const locked = refusing("locked", serverError("55P03", "canceling statement due to lock timeout"));
  const slow = refusing("slow", serverError("57014", "canceling statement due to statement timeout"));
  const report = await runAudit([target], {
    now: new Date(0),
    checks: [
      check("a/denied", [denied], () => []),
      check("a/locked", [locked], () => []),
      check("a/slow", [slow], () => []),
    ],
    version: "t",
  });
  const byCheck = new Map(report.notRun.map((entry) => [entry.check, entry]));
  assert.match(byCheck.get("a/denied")?.reason ?? "", /permission denied for view pg_file_settings/);
  assert.match(byCheck.get("a/denied")?.grant ?? "", /superuser/);
  assert.match(byCheck.get("a/locked")?.reason ?? "", /another session holds a lock the audit needs \(waited 2s\)/);
  assert.equal(byCheck.get("a/locked")?.grant, undefined);
  assert.match(byCheck.get("a/slow")?.reason ?? "", /did not answer within 10s \(statement_timeout\)/);
  assert.deepEqual(report.checks, []);
});
