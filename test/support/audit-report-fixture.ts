import { type AuditCheck, type FindingDraft } from "../../src/audit/audit-check.js";
import { type AuditFinding } from "../../src/audit/audit-finding.js";
import { type AuditReport, type CertificateSighting, type CheckNotRun } from "../../src/audit/report/audit-report.js";
import { findingOf } from "../../src/audit/run-audit.js";
import { scoreChecks } from "../../src/audit/score.js";
import { soc2Table } from "../../src/audit/soc2-table.js";
import { severityRank } from "../../src/core/finding.js";
import { compareText } from "../../src/core/text.js";

/** A role name a hostile server could hold: markup for the HTML report, terminal escapes for the text one. */
export const HOSTILE_ROLE = '<script>alert("x")</script>\u001b[2J\u202Eevil';

/** The report's clock: every date in the fixture is relative to it. */
export const FIXTURE_NOW = new Date("2026-06-01T12:00:00Z");

const DAY_MS = 86_400_000;
const day = (days: number) => new Date(FIXTURE_NOW.getTime() + days * DAY_MS).toISOString();

function check(
  partial: Pick<AuditCheck, "id" | "title" | "layer" | "severity" | "soc2"> & { cis?: string },
): AuditCheck {
  return {
    scope: "server",
    why: `${partial.title}: why it matters.`,
    fix: `fix for ${partial.id}`,
    facts: [],
    run: () => [],
    ...partial,
  };
}

/** The checks the fixture report ran: some in every layer, of every severity. */
export const FIXTURE_CHECKS: readonly AuditCheck[] = [
  check({
    id: "tls/ssl-off",
    title: "TLS is off",
    layer: "network",
    severity: "critical",
    soc2: ["CC6.6", "CC6.7"],
    cis: "6.7",
  }),
  check({
    id: "tls/wire-certificate-expiring",
    title: "Certificate expires soon",
    layer: "network",
    severity: "high",
    soc2: ["CC6.7"],
  }),
  check({
    id: "auth/password-encryption",
    title: "md5 password encryption",
    layer: "authentication",
    severity: "high",
    soc2: ["CC6.1"],
    cis: "4.1",
  }),
  check({
    id: "auth/hba-lint",
    title: "HBA lint on the loaded rules",
    layer: "authentication",
    severity: "medium",
    soc2: ["CC6.1"],
  }),
  check({
    id: "roles/superusers",
    title: "More than one login superuser",
    layer: "access-control",
    severity: "medium",
    soc2: ["CC6.1"],
    cis: "4.2",
  }),
  check({
    id: "roles/public-create",
    title: "CREATE on schema public for PUBLIC",
    layer: "access-control",
    severity: "low",
    soc2: ["CC6.1"],
  }),
  check({
    id: "logging/log-connections",
    title: "Connections not logged",
    layer: "data",
    severity: "medium",
    soc2: ["CC7.2"],
    cis: "3.1.20",
  }),
  check({ id: "logging/checksums", title: "Data checksums off", layer: "data", severity: "info", soc2: ["CC9.1"] }),
  check({ id: "logging/archive", title: "WAL archiving off", layer: "data", severity: "high", soc2: ["A1.2"] }),
];

const byId = (id: string) => FIXTURE_CHECKS.find((entry) => entry.id === id) as AuditCheck;

/** What each check found, per target: the drafts, as checks would make them. */
const DRAFTS: readonly (readonly [check: string, target: string, draft: FindingDraft])[] = [
  [
    "tls/ssl-off",
    "127.0.0.1:5432",
    {
      subject: "ssl",
      message: "ssl is off: the server accepts no TLS connection",
      evidence: [
        {
          label: "setting ssl",
          value: "off",
          source: { file: "/var/lib/postgresql/15/main/postgresql.conf", line: 12 },
        },
      ],
    },
  ],
  [
    "tls/wire-certificate-expiring",
    "127.0.0.1:5433",
    {
      subject: "served",
      message: "the certificate served expires in 10 days",
      evidence: [{ label: "certificate notAfter", value: day(10) }],
    },
  ],
  [
    "auth/password-encryption",
    "127.0.0.1:5432",
    {
      subject: "password_encryption",
      message: "password_encryption is md5",
      evidence: [
        { label: "setting password_encryption", value: "md5", source: { file: "postgresql.auto.conf", line: 3 } },
      ],
      fix: "ALTER SYSTEM SET password_encryption = 'scram-sha-256'; SELECT pg_reload_conf();",
    },
  ],
  [
    "auth/hba-lint",
    "127.0.0.1:5432",
    {
      id: "trust-from-network",
      title: "trust from the network",
      why: "Anyone who reaches the port logs in as any role.",
      severity: "critical",
      subject: "pg_hba.conf:4",
      message: `host all ${HOSTILE_ROLE} 0.0.0.0/0 trust lets anyone in`,
      evidence: [
        { label: "rule", value: `host all ${HOSTILE_ROLE} 0.0.0.0/0 trust`, source: { file: "pg_hba.conf", line: 4 } },
      ],
      source: { file: "pg_hba.conf", line: 4 },
    },
  ],
  [
    "roles/superusers",
    "127.0.0.1:5432",
    {
      subject: HOSTILE_ROLE,
      message: `role ${HOSTILE_ROLE} is a login superuser`,
      evidence: [{ label: `role ${HOSTILE_ROLE}`, value: "rolsuper, rolcanlogin" }],
      fix: `ALTER ROLE "${HOSTILE_ROLE}" NOSUPERUSER;`,
    },
  ],
  [
    "roles/public-create",
    "127.0.0.1:5433",
    {
      subject: "app",
      message: "PUBLIC may CREATE in schema public of database app",
      evidence: [{ label: "database app", value: "public=UC/postgres" }],
    },
  ],
  [
    "logging/log-connections",
    "127.0.0.1:5432",
    {
      subject: "log_connections",
      message: "log_connections is off",
      evidence: [{ label: "setting log_connections", value: "off", source: { file: "postgresql.conf", line: 40 } }],
    },
  ],
  [
    "logging/checksums",
    "127.0.0.1:5433",
    {
      subject: "data_checksums",
      message: "data checksums are off",
      evidence: [{ label: "setting data_checksums", value: "off" }],
    },
  ],
];

const TARGETS = ["127.0.0.1:5432", "127.0.0.1:5433"];

const NOT_RUN: readonly CheckNotRun[] = [
  {
    check: "passwords/weak",
    title: "Weak passwords",
    target: "127.0.0.1:5433",
    layer: "authentication",
    reason: "reading pg_authid needs a superuser",
    grant: "ALTER ROLE auditor SUPERUSER (or run the password audit offline)",
  },
  {
    check: "logging/pgdata-mode",
    title: "PGDATA mode",
    target: "127.0.0.1:5433",
    layer: "data",
    reason: "reading pg_ls_dir needs pg_read_server_files",
    grant: "GRANT pg_read_server_files TO auditor",
  },
];

/** Certificates on the timeline: expired, expiring within 30 days, within 90, and far off. */
export const FIXTURE_CERTIFICATES: readonly CertificateSighting[] = [
  {
    target: "127.0.0.1:5432",
    seenAt: "served on the wire",
    subject: "CN=expired.example",
    serial: "01",
    notBefore: day(-400),
    notAfter: day(-5),
  },
  {
    target: "127.0.0.1:5433",
    seenAt: "served on the wire",
    subject: "CN=db2.example",
    serial: "02",
    notBefore: day(-355),
    notAfter: day(10),
  },
  {
    target: "127.0.0.1:5433",
    seenAt: "/etc/pki/root.crt",
    subject: `CN=${HOSTILE_ROLE}`,
    serial: "03",
    notBefore: day(-300),
    notAfter: day(60),
  },
  {
    target: "127.0.0.1:5432",
    seenAt: "/etc/pki/ca.crt",
    subject: "CN=pgwarden CA",
    serial: "04",
    notBefore: day(-100),
    notAfter: day(3000),
  },
];

/**
 * A report as the runner would make it for two servers, built with the runner's own functions
 * (findingOf, scoreChecks, soc2Table) from literal check results: findings in every layer and of
 * every severity, hostile text from the server, checks not run with their grants, certificates.
 * Findings are sorted worst first, as the runner sorts them.
 * With `baseline`, the first finding is new and one earlier finding was fixed.
 */
export function fixtureReport(options: { readonly baseline?: boolean } = {}): AuditReport {
  const findings: AuditFinding[] = DRAFTS.map(([id, target, draft]) => findingOf(byId(id), target, draft)).sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      compareText(a.target, b.target) ||
      compareText(a.id, b.id) ||
      compareText(a.subject, b.subject),
  );
  const failed = new Set(DRAFTS.map(([id, target]) => `${id}\0${target}`));
  const checks = TARGETS.flatMap((target) =>
    FIXTURE_CHECKS.map((entry) => ({
      check: entry.id,
      target,
      layer: entry.layer,
      severity: entry.severity,
      passed: !failed.has(`${entry.id}\0${target}`),
    })),
  );
  const fixed = findingOf(byId("logging/archive"), "127.0.0.1:5432", {
    subject: "archive_mode",
    message: "archive_mode is off",
    evidence: [{ label: "setting archive_mode", value: "off" }],
  });
  const [first, ...rest] = findings;
  return {
    tool: "pgwarden",
    version: "0.1.0",
    generatedAt: FIXTURE_NOW.toISOString(),
    targets: [
      {
        name: TARGETS[0] as string,
        kind: "server",
        reachable: true,
        serverVersion: "15.8",
        user: "auditor",
        superuser: true,
      },
      {
        name: TARGETS[1] as string,
        kind: "server",
        reachable: true,
        serverVersion: "16.4",
        user: "auditor",
        superuser: false,
      },
    ],
    findings,
    checks,
    notRun: NOT_RUN,
    scores: scoreChecks(checks),
    soc2: soc2Table(FIXTURE_CHECKS, checks, NOT_RUN, findings),
    certificates: FIXTURE_CERTIFICATES,
    ...(options.baseline
      ? {
          baseline: {
            file: "audit-before.json",
            generatedAt: day(-7),
            new: first ? [first.fingerprint] : [],
            unchanged: rest.map((finding) => finding.fingerprint),
            fixed: [fixed],
          },
        }
      : {}),
  };
}
