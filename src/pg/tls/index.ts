/** Deploying TLS into PostgreSQL (`pg tls`): the one entry point, its request and result, and the decisions it rests on. */
export { type TlsDeployMode, tlsDeployMode } from "./deploy-mode.js";
export type { TlsDeployEnvironment, TlsDeployRequest } from "./deploy-request.js";
export type {
  ConnTlsDeployed,
  ConnTlsPlanned,
  PgdataTlsDeployed,
  PgdataTlsPlanned,
  PlannedServerCertificate,
  TlsDeployResult,
  TlsSnippetResult,
} from "./deploy-result.js";
export { deployTls } from "./deploy-tls.js";
export { type HostSnippet, hostSnippet, type HostSnippetRequest } from "./host-snippet.js";
export { connReloads, type PgdataReload, pgdataReload } from "./reload-policy.js";
export { type ServedState, servedVerdict } from "./served-verdict.js";
export { serverCertificateRequest, verifyName } from "./server-request.js";
