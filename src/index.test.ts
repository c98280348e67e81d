import assert from "node:assert/strict";
import { test } from "node:test";

import * as library from "./index.js";

/**
 * The values `import ... from "pgwarden"` offers, grouped as index.ts groups them. Adding or removing
 * one changes what library users depend on: it must be done here too, on purpose.
 */
const PUBLIC_VALUES = {
  errors: ["ExitCode", "PgwardenError"],
  findings: ["SEVERITIES", "failsAt"],
  ca: [
    "DEFAULT_KEY_TYPE",
    "DEFAULT_LEAF_VALIDITY_DAYS",
    "DEFAULT_PKI_DIR",
    "DEFAULT_ROOT_VALIDITY_DAYS",
    "KEY_TYPES",
    "caDependants",
    "crlStateName",
    "initCa",
    "listTrustedIssuerFiles",
    "loadCa",
    "pkiLayout",
    "retireCa",
    "rotateCa",
    "rotateIntermediate",
    "rotatedAnchorsPem",
    "trustedRootsFile",
    "trustedRootsPem",
    "writeTrustedRoots",
  ],
  intermediates: ["createIntermediate", "issuerNameFor", "loadIssuer", "loadIssuerFor"],
  issuance: [
    "PROFILES",
    "PROFILE_NAMES",
    "applyFleet",
    "compareFleet",
    "issueBatch",
    "issueCertificate",
    "planFleet",
    "prepareLeaf",
    "signCertificateRequest",
  ],
  renewal: ["DEFAULT_RENEWAL_THRESHOLD", "needsRenewal", "renewCertificates", "renewalVerdict"],
  sessions: ["listTlsSessions", "tlsSessionStatus"],
  inspection: [
    "decodeCertificates",
    "describeCertificate",
    "listCertificates",
    "loadVerifyInputs",
    "verifyCertificate",
  ],
  revocation: [
    "DEFAULT_CRL_VALIDITY_DAYS",
    "crlStatus",
    "crlTimerUnits",
    "crlWarningStart",
    "issuersOverview",
    "revokeCertificate",
    "rewriteCombinedCrl",
    "writeCrls",
  ],
  bundlesAndTrust: ["detectTrustOs", "exportClientBundle", "installTrust", "libpqUserDir", "trustPlan", "trustScript"],
  inventory: ["clusterNames", "loadInventory", "parseInventory"],
  connection: ["connectSuperuser"],
  hbaRenderParse: [
    "parseHbaFile",
    "parseHbaText",
    "parseRenderedHba",
    "readServerHba",
    "renderHba",
    "renderedFileName",
  ],
  hbaLint: [
    "DEFAULT_SUPERUSERS",
    "LINT_CHECKS",
    "inventoryLintContext",
    "lintHba",
    "lintSource",
    "parseErrorFindings",
    "readServerLintContext",
  ],
  hbaExplain: ["explainConnection", "explainMatrix", "explainRules", "inventoryMemberships", "readServerFacts"],
  hbaApply: ["applyHba", "connectionTarget", "pgdataTarget"],
  roles: [
    "CHARACTER_CLASSES",
    "DEFAULT_MIN_PASSWORD_LENGTH",
    "MASKED_PASSWORD",
    "applyRoles",
    "checkDeclaredPasswords",
    "declaredPasswordProblems",
    "desiredRoleModel",
    "passwordViolations",
    "planRoles",
    "prepareRoles",
  ],
  passwords: [
    "DEFAULT_SCRAM_ITERATIONS",
    "auditPasswords",
    "generatePassword",
    "knownPasswordDenylist",
    "md5Secret",
    "parseScramVerifier",
    "readStoredRoles",
    "scramMatches",
    "scramVerifier",
  ],
  tls: [
    "SNIPPET_TARGETS",
    "TLS_FILES",
    "applyTls",
    "checkServed",
    "deployTls",
    "ensureServerCertificate",
    "planTls",
    "probeTls",
    "reloadServer",
    "renderTlsSnippet",
    "tlsSettings",
  ],
  audit: [
    "ALL_CHECKS",
    "compareWithBaseline",
    "inventoryTargets",
    "readAuditBaseline",
    "renderHtml",
    "renderSarif",
    "renderText",
    "runAudit",
  ],
} as const;

test("the package's entry point exports exactly the public values, each one defined", () => {
  const expected = Object.values(PUBLIC_VALUES)
    .flat()
    .sort((a, b) => a.localeCompare(b));
  const actual = Object.keys(library).sort((a, b) => a.localeCompare(b));
  assert.deepEqual(actual, expected);
  for (const [name, value] of Object.entries(library)) assert.notEqual(value, undefined, `${name} is defined`);
});
