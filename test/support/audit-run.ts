import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import { scramVerifier } from "../../src/roles/scram.js";
import { pgwarden } from "./cli.js";
import { type Cluster, startCluster, type StartClusterOptions } from "./pg-cluster.js";

/** What `pgwarden audit --format json` printed, as the tests read it (the shape is src/cli/json-shapes/audit.ts). */
export interface AuditJson {
  readonly targets: readonly {
    readonly name: string;
    readonly reachable: boolean;
    readonly error?: string;
    readonly superuser?: boolean;
  }[];
  readonly findings: readonly {
    readonly id: string;
    readonly severity: string;
    readonly layer: string;
    readonly target: string;
    readonly subject: string;
    readonly message: string;
    readonly fix: string;
    readonly fingerprint: string;
    readonly evidence: readonly { readonly label: string; readonly value: string }[];
  }[];
  readonly checks: readonly { readonly check: string; readonly target: string; readonly passed: boolean }[];
  readonly notRun: readonly { readonly check: string; readonly reason: string; readonly grant?: string }[];
  readonly scores: { readonly overall: { readonly score: number } };
  readonly soc2: readonly { readonly control: string; readonly status: string }[];
}

/** A throwaway PostgreSQL with a password superuser `auditor` the audit logs in as over TCP. */
export interface AuditedCluster {
  readonly cluster: Cluster;
  /** `host=127.0.0.1 port=... user=auditor dbname=postgres sslmode=...`: the --conn of the audit. */
  readonly conn: string;
  /** PGPASSWORD for `auditor` (never in argv). */
  readonly env: Readonly<Record<string, string>>;
  /** Runs `pgwarden audit --conn <conn> --format json ...args`; asserts it printed a report (exit 0 or 1). */
  audit(
    args?: readonly string[],
  ): Promise<{ readonly code: number; readonly report: AuditJson; readonly stderr: string }>;
  stop(): Promise<void>;
}

/**
 * Starts a cluster (options as {@link startCluster}; by default TCP rules ask for
 * scram-sha-256) with a superuser `auditor` whose password is random and stored as a SCRAM
 * verifier, so no plaintext password reaches the server or its log.
 */
export async function startAuditedCluster(
  options: StartClusterOptions & { readonly sslmode?: string } = {},
): Promise<AuditedCluster> {
  const cluster = await startCluster(options);
  const password = randomBytes(12).toString("hex");
  await cluster.sql(`CREATE ROLE auditor LOGIN SUPERUSER PASSWORD '${scramVerifier(password)}'`);
  const conn = `host=127.0.0.1 port=${cluster.port} user=auditor dbname=postgres sslmode=${options.sslmode ?? "prefer"}`;
  const env = { PGPASSWORD: password };
  return {
    cluster,
    conn,
    env,
    async audit(args = []) {
      const result = await pgwarden(["audit", "--conn", conn, "--format", "json", ...args], { env });
      assert.ok(result.code === 0 || result.code === 1, `audit exited ${result.code}: ${result.stderr}`);
      return { code: result.code, report: JSON.parse(result.stdout) as AuditJson, stderr: result.stderr };
    },
    stop: () => cluster.stop(),
  };
}

/** The ids of the findings, sorted, each once: what a test compares with what it planted. */
export function findingIds(report: AuditJson): string[] {
  return [...new Set(report.findings.map((finding) => finding.id))].sort();
}
