import type { PgwardenError } from "../../core/errors.js";
import type { ServerCertificate } from "../server-certificate.js";
import type { ServedCheck, TlsPlan } from "../tls-deploy.js";
import type { HostSnippet } from "./host-snippet.js";
import type { ServedState } from "./served-verdict.js";

/** `print`: the lines for another program's configuration. */
export interface TlsSnippetResult {
  readonly via: "print";
  readonly snippet: HostSnippet;
}

/** The server certificate a dry run would use: kept as it is, or (re)issued (with why, and for which names). */
export interface PlannedServerCertificate {
  readonly action: "kept" | "issue" | "reissue";
  /** Where it is or will be, in the PKI. */
  readonly path: string;
  /** Why the one there cannot serve (reissue). */
  readonly reason?: string;
  /** The names a (re)issued certificate would carry. */
  readonly subjectAltNames: readonly string[];
}

/** `pgdata` with dryRun: what would be written, nothing written. */
export interface PgdataTlsPlanned {
  readonly via: "pgdata";
  readonly dryRun: true;
  readonly dataDirectory: string;
  readonly certificate: PlannedServerCertificate;
  readonly plan: TlsPlan;
  /** --reload was asked: the server would be reloaded and checked. */
  readonly wouldReload: boolean;
}

/** After a run that changed (or found nothing to change), what the server serves; `failure` is the error to end with once this is shown. */
interface Deployed {
  readonly dryRun: false;
  readonly dataDirectory: string;
  readonly certificate: ServerCertificate;
  readonly plan: TlsPlan;
  readonly reloaded: boolean;
  readonly served: ServedCheck;
  /** The run went through but did not reach its goal (not served: exit 1; served but unverified: exit 7). */
  readonly failure?: PgwardenError;
}

/** `pgdata`: the files and settings written, the reload, and what the server serves. */
export interface PgdataTlsDeployed extends Deployed {
  readonly via: "pgdata";
  readonly servedState: ServedState;
}

/** `conn` with dryRun: what would be written and which settings ALTER SYSTEM would change. */
export interface ConnTlsPlanned {
  readonly via: "conn";
  readonly dryRun: true;
  readonly dataDirectory: string;
  readonly plan: TlsPlan;
  readonly alterSystem: readonly string[];
}

/** `conn`: the files written, the settings changed with ALTER SYSTEM, and what the server serves after pg_reload_conf(). */
export interface ConnTlsDeployed extends Deployed {
  readonly via: "conn";
  readonly alterSystem: readonly string[];
}

/** What `pg tls` did, whichever mode ran. */
export type TlsDeployResult =
  TlsSnippetResult | PgdataTlsPlanned | PgdataTlsDeployed | ConnTlsPlanned | ConnTlsDeployed;
