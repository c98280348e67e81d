/*
 * pgwarden as a library: what the `pgwarden` commands do, as functions that take typed options and
 * return typed results. Nothing here prints or exits: failures are thrown as {@link PgwardenError},
 * whose `exitCode` is the one the command line would exit with. Only what a program would call is
 * exported (the encoders, workers and journals behind them are not part of the contract).
 */

// Errors: every expected failure is a PgwardenError with a stable code and the CLI's exit code.
export { ExitCode, type ExitCodeValue, PgwardenError, type Problem } from "./core/errors.js";

// Findings and severities, shared by hba lint and the password audit.
export { failsAt, type Finding, SEVERITIES, type Severity } from "./core/finding.js";

// The PKI directory (Pigsty's files/pki layout) and its root CA: `ca init`, and loading the CA to sign with.
export { type CaInitAction, initCa, type InitCaOptions, type InitCaResult } from "./pki/authority/ca-init.js";
export { caDependants, type Dependant, retireCa, type RetireCaResult } from "./pki/authority/ca-retire.js";
export { rotateCa, type RotateCaOptions, type RotateCaResult } from "./pki/authority/ca-rotate.js";
export { type CertificateAuthority, loadCa, type LoadCaOptions } from "./pki/authority/certificate-authority.js";
export { rotateIntermediate, type RotateIntermediateOptions } from "./pki/authority/intermediate-rotate.js";
export { trustedRootsFile, trustedRootsPem, writeTrustedRoots } from "./pki/authority/trust-anchors.js";
export { crlStateName, listTrustedIssuerFiles, rotatedAnchorsPem } from "./pki/authority/trusted-issuers.js";
export type { DistinguishedName } from "./pki/encoding/certificate-extensions.js";
export { DEFAULT_LEAF_VALIDITY_DAYS, DEFAULT_ROOT_VALIDITY_DAYS } from "./pki/issuing/validity.js";
export { DEFAULT_KEY_TYPE, KEY_TYPES, type KeyType } from "./pki/keys/key-type.js";
export { DEFAULT_PKI_DIR, type PkiLayout, pkiLayout } from "./pki/pki-layout.js";

// Intermediates (issue 14): `ca intermediate create`, and which CA signs a profile's leaves.
export {
  createIntermediate,
  type CreateIntermediateOptions,
  type CreateIntermediateResult,
} from "./pki/authority/intermediate-create.js";
export { issuerNameFor, type LoadedIssuer, loadIssuer, loadIssuerFor } from "./pki/authority/issuer-loader.js";

// Issuance: one certificate, many at once (on worker threads), a CSR made elsewhere, a Pigsty inventory's fleet.
export { applyFleet, type FleetApplied, type FleetApplyOptions } from "./pki/fleet/fleet-apply.js";
export { type ComparedCertificate, compareFleet, type FleetComparison } from "./pki/fleet/fleet-compare.js";
export { type FleetPlanOptions, planFleet, type PlannedCertificate } from "./pki/fleet/fleet-plan.js";
export {
  issueCertificate,
  type IssueOptions,
  type IssueResult,
  type PreparedLeaf,
  prepareLeaf,
} from "./pki/issuing/issue.js";
export { type BatchOptions, type BatchResult, issueBatch } from "./pki/issuing/issue-batch.js";
export { type Profile, PROFILE_NAMES, type ProfileName, PROFILES } from "./pki/issuing/profiles.js";
export { signCertificateRequest, type SignCsrOptions } from "./pki/issuing/sign-csr.js";
export type { CertificateRecord } from "./pki/records/certificate-records.js";

// Renewal: which certificates are due, and re-issuing them (cert needs-renewal, cert renew).
export { needsRenewal, type NeedsRenewalResult, type RenewalTarget } from "./pki/renewal/needs-renewal.js";
export {
  renewCertificates,
  type RenewedCertificate,
  type RenewOptions,
  type RenewResult,
  type RenewSelection,
  type SkippedRenewal,
} from "./pki/renewal/renew.js";
export {
  DEFAULT_RENEWAL_THRESHOLD,
  type RenewalThreshold,
  type RenewalVerdict,
  renewalVerdict,
} from "./pki/renewal/renewal-threshold.js";

// Inspection and verification: read a certificate, check it as OpenSSL and libpq would, list a PKI.
export { decodeCertificates } from "./pki/encoding/pem.js";
export {
  listCertificates,
  type ListEntry,
  type ListOptions,
  type ListResult,
  type ListStatus,
} from "./pki/inspect/cert-list.js";
export { type CertificateInfo, describeCertificate } from "./pki/inspect/certificate-info.js";
export {
  type KeyInput,
  type Purpose,
  verifyCertificate,
  type VerifyCheck,
  type VerifyOptions,
  type VerifyResult,
} from "./pki/verify/verify-certificate.js";
export { type LoadedVerifyInputs, loadVerifyInputs, type VerifyFiles } from "./pki/verify/verify-inputs.js";

// Revocation (`cert revoke`, `crl`, `crl status`, `ca show`): one CRL per issuer and the combined file servers install.
export { type IssuerOverview, type IssuersOverview, issuersOverview } from "./pki/inspect/issuer-overview.js";
export {
  type CrlState,
  crlStatus,
  type CrlStatusResult,
  crlWarningStart,
  type IssuerCrlStatus,
} from "./pki/revocation/crl-status.js";
export { type CrlTimerOptions, type CrlTimerUnits, crlTimerUnits } from "./pki/revocation/crl-timer.js";
export {
  DEFAULT_CRL_VALIDITY_DAYS,
  rewriteCombinedCrl,
  writeCrls,
  type WriteCrlsOptions,
  type WriteCrlsResult,
  type WrittenCrl,
} from "./pki/revocation/crl-writer.js";
export { revokeCertificate, type RevokeRequest, type RevokeResult } from "./pki/revocation/revoke.js";

// Client bundles (`cert export`) and the system trust store (`trust install|print`).
export {
  type BundleFormat,
  type ExportOptions as ClientBundleOptions,
  type ExportResult as ClientBundleResult,
  type ConnectionStrings,
  exportClientBundle,
  libpqUserDir,
} from "./pki/trust/client-bundle.js";
export {
  detectTrustOs,
  installTrust,
  type TrustInstallResult,
  type TrustOs,
  type TrustPlan,
  trustPlan,
  trustScript,
} from "./pki/trust/trust-store.js";

// Pigsty inventories (pigsty.yml): loaded and validated once, then given to render, roles and fleet issuance.
export { clusterNames, type Inventory } from "./config/inventory.js";
export { loadInventory, parseInventory } from "./config/load-inventory.js";
export type { InventoryVars } from "./config/schema.js";

// Connecting as psql would (URL or keyword=value, PG* variables, service file, ~/.pgpass, libpq's sslmode).
export { type ConnectOptions, connectSuperuser } from "./pg/connect.js";

// HBA render: pg_hba.conf or pgb_hba.conf from an inventory, as Pigsty's templates write them.
export {
  type RenderedHba,
  type RenderedRule,
  renderHba,
  type RenderOptions,
  type RenderTarget,
} from "./hba/render/index.js";
export { parseRendered as parseRenderedHba, renderedFileName } from "./hba/rendered-file.js";

// HBA parse: a file, a text, or a running server's rules, as PostgreSQL reads them.
export type { HbaToken } from "./core/auth-file-tokens.js";
export type { SourceLocation } from "./core/source-location.js";
export type { ConnectionType, HbaFile, HbaParseError, HbaRule } from "./hba/model.js";
export { type ParseOptions as HbaParseOptions, parseHbaFile, parseHbaText } from "./hba/parse/index.js";
export { readServerHba, type ServerHba } from "./hba/server-file.js";

// HBA lint: the checks, what the rules' source tells them, and parse errors as findings.
export { inventoryLintContext } from "./hba/inventory-superusers.js";
export type { LintCheck, LintContext } from "./hba/lint/lint-rule.js";
export { lintSource, type LintSourceRequest, type LintSourceResult } from "./hba/lint/lint-source.js";
export { parseErrorFindings } from "./hba/lint/parse-error.js";
export { LINT_CHECKS } from "./hba/lint/rules/index.js";
export { DEFAULT_SUPERUSERS, lintRules as lintHba, type LintResult } from "./hba/lint/run-lint.js";
export { readServerContext as readServerLintContext } from "./hba/server-context.js";

// HBA explain: which line PostgreSQL uses for a connection, what it demands, and the verdict.
export {
  type ExplainedSource,
  type ExplainRequest,
  type ExplainResult,
  explainRules,
} from "./hba/explain/explain-rules.js";
export {
  type Access,
  type AuthenticationOutcome,
  type ConnectionExplanation,
  explainConnection,
  explainMatrix,
  type ExplainOptions,
  type HbaMatrix,
  inventoryMemberships,
  type MatchedRule,
  type MatrixCell,
  type MatrixOptions,
  type MatrixRow,
  readServerFacts,
  type ServerFactsForRole,
  type UndecidedMatch,
} from "./hba/explain/index.js";
export type { Connection as ConnectionAttempt, ServerContext } from "./hba/match.js";

// HBA apply: install rules on a running server, checked by pgwarden and by PostgreSQL, the old file kept on refusal.
export {
  applyHba,
  connectionTarget,
  type ApplyOptions as HbaApplyOptions,
  type ApplyResult as HbaApplyResult,
  type HbaTarget,
  pgdataTarget,
} from "./hba/apply.js";

// Roles: the inventory's role model, its passwords checked offline, then planned and applied on a server.
export { applyRoles, type RoleApplyOptions, type RoleApplyResult } from "./roles/apply-roles.js";
export { checkDeclaredPasswords, declaredPasswordProblems } from "./roles/declared-password-policy.js";
export type { DesiredRole } from "./roles/desired-role.js";
export {
  CHARACTER_CLASSES,
  type CharacterClass,
  DEFAULT_MIN_PASSWORD_LENGTH,
  type PasswordPolicy,
  type PasswordViolation,
  passwordViolations,
} from "./roles/password-policy.js";
export type { RolePlan, RolePlanOptions } from "./roles/plan/plan-roles.js";
// planRoles reads the server's catalog itself, as applyRoles does: the pair takes the same arguments.
export { planRolesOnServer as planRoles } from "./roles/plan-on-server.js";
export {
  type PreparedRoles,
  prepareRoles,
  type RolePreparationIo,
  type RolePreparationRequest,
} from "./roles/prepare-roles.js";
export { MASKED_PASSWORD, type RoleChange, type RoleChangeKind } from "./roles/role-change.js";
export { desiredRoleModel, type RoleModel, type RoleModelOptions } from "./roles/role-model.js";

// Passwords: the secrets PostgreSQL stores (SCRAM-SHA-256 verifiers, legacy md5), new ones, the known ones a policy
// refuses (what `password hash` warns about), and the offline audit of a server's.
export {
  auditPasswords,
  type PasswordAuditOptions,
  type PasswordAuditReport,
  type RoleSummary,
} from "./roles/audit/audit-passwords.js";
export { knownPasswordDenylist } from "./roles/audit/candidates/known-password-denylist.js";
export type { PasswordFinding } from "./roles/audit/password-finding.js";
export { readStoredRoles } from "./roles/audit/read-stored-roles.js";
export type { StoredRole } from "./roles/audit/stored-role.js";
export { generatePassword, type GenerateOptions as GeneratePasswordOptions } from "./roles/generate-password.js";
export { md5Secret } from "./roles/md5.js";
export {
  DEFAULT_SCRAM_ITERATIONS,
  parseScramVerifier,
  scramMatches,
  type ScramOptions,
  type ScramVerifier,
  scramVerifier,
} from "./roles/scram.js";

// TLS deployment: a server certificate that fits, the files and settings in PGDATA, a reload, and the proof from a handshake.
export {
  ensureServerCertificate,
  type ServerCertificate,
  type ServerCertificateRequest,
} from "./pg/server-certificate.js";
export {
  deployTls,
  type TlsDeployEnvironment,
  type TlsDeployMode,
  type TlsDeployRequest,
  type TlsDeployResult,
} from "./pg/tls/index.js";
export {
  applyTls,
  checkServed,
  planTls,
  reloadServer,
  type ServedCheck,
  type ServerTlsMaterial,
  TLS_FILES,
  type TlsPlan,
  type PlanOptions as TlsPlanOptions,
  tlsSettings,
} from "./pg/tls-deploy.js";
export { probeTls, type TlsProbe, type ProbeOptions as TlsProbeOptions } from "./pg/tls-probe.js";
export { renderTlsSnippet, SNIPPET_TARGETS, type SnippetFiles, type SnippetTarget } from "./pg/tls-snippets.js";

// Open sessions: TLS sessions and the revocation of their client certificates (pg sessions).
export { type SessionsOptions, type SessionStatus, tlsSessionStatus } from "./pg/sessions/revoked-sessions.js";
export { listTlsSessions, type TlsSession } from "./pg/sessions/tls-sessions.js";

// The live audit (pgwarden audit): every check, the runner over servers and an inventory, baselines, the reports.
export type { AuditCheck, FindingDraft } from "./audit/audit-check.js";
export type { AuditFinding, Evidence } from "./audit/audit-finding.js";
export type { AuditTarget, InventoryTarget, ServerTarget } from "./audit/audit-target.js";
export { type AuditBaseline, compareWithBaseline, readAuditBaseline } from "./audit/baseline.js";
export { ALL_CHECKS } from "./audit/checks/index.js";
export {
  type InventoryTargets,
  inventoryTargets,
  type InventoryTargetsOptions,
} from "./audit/fleet/inventory-targets.js";
export type { Layer } from "./audit/layer.js";
export type {
  AuditReport,
  BaselineComparison,
  CertificateSighting,
  CheckNotRun,
  CheckRun,
  Score,
  Soc2Row,
  TargetResult,
} from "./audit/report/audit-report.js";
export { renderHtml } from "./audit/report/render-html.js";
export { renderSarif } from "./audit/report/render-sarif.js";
export { renderText } from "./audit/report/render-text.js";
export { type AuditOptions, runAudit } from "./audit/run-audit.js";
export type { Soc2Control } from "./audit/soc2.js";
