import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { ALL_CHECKS } from "../audit/checks/index.js";
import { type AuditReport } from "../audit/report/audit-report.js";
import { renderHtml } from "../audit/report/render-html.js";
import { runAudit } from "../audit/run-audit.js";
import { SEVERITIES, type Severity } from "../core/finding.js";
import { PRIVATE_FILE_MODE, writeFileAtomic } from "../core/fs/atomic-write.js";
import { resolveConnection } from "../pg/conninfo/resolve.js";
import { conninfo } from "../pki/trust/conninfo.js";

/** The HTML report's name in the quickstart directory. */
export const AUDIT_REPORT_FILE = "audit.html";

/** What quickstart says of its sandbox's audit: the scores, the findings by severity, and where the page is. */
export interface QuickstartAudit {
  /** The HTML report (0600), next to the quickstart's other files. */
  readonly html: string;
  readonly scores: AuditReport["scores"];
  /** How many findings of each severity. */
  readonly findings: Readonly<Record<Severity, number>>;
  /** Checks that could not run (none, as the sandbox's superuser). */
  readonly notRun: number;
  readonly report: AuditReport;
}

/** How quickstart reaches its sandbox for the audit: its superuser, by certificate, verify-full. */
export interface SandboxAuditInput {
  readonly dir: string;
  readonly host: string;
  readonly port: number;
  readonly superuser: string;
  readonly login: { readonly certPath: string; readonly keyPath: string };
  /** The root(s) the server's certificate verifies against: also what the TLS checks judge the chain by. */
  readonly caCertPath: string;
  readonly pgdata: string;
  readonly now: Date;
  readonly version: string;
}

/**
 * `pgwarden audit` of the sandbox, as its superuser by certificate with --pgdata, every check:
 * read-only like every audit. The page is written atomically into the quickstart directory.
 */
export async function auditSandbox(input: SandboxAuditInput): Promise<QuickstartAudit> {
  const connection = resolveConnection(
    conninfo({
      host: input.host,
      port: input.port,
      user: input.superuser,
      dbname: "postgres",
      sslmode: "verify-full",
      sslrootcert: input.caCertPath,
      sslcert: input.login.certPath,
      sslkey: input.login.keyPath,
    }),
    // No PG* variable of the caller's shell changes how quickstart reaches its own sandbox.
    { env: {}, source: "the sandbox's connection" },
  );
  const report = await runAudit(
    [
      {
        kind: "server",
        name: `${input.host}:${input.port}`,
        connection,
        pgdata: input.pgdata,
        trustedCa: { pem: await readFile(input.caCertPath, "utf8"), file: input.caCertPath },
      },
    ],
    { now: input.now, checks: ALL_CHECKS, version: input.version },
  );
  const html = join(input.dir, AUDIT_REPORT_FILE);
  await writeFileAtomic(html, renderHtml(report), { mode: PRIVATE_FILE_MODE });
  const findings = Object.fromEntries(
    SEVERITIES.map((severity) => [severity, report.findings.filter((finding) => finding.severity === severity).length]),
  ) as Record<Severity, number>;
  return { html, scores: report.scores, findings, notRun: report.notRun.length, report };
}
