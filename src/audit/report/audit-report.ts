import { type Severity } from "../../core/finding.js";
import { type AuditFinding } from "../audit-finding.js";
import { type Layer } from "../layer.js";
import { type Soc2Control } from "../soc2.js";

/** One audited target: a server reached (or not) over a connection, or the inventory file. */
export interface TargetResult {
  readonly name: string;
  readonly kind: "server" | "inventory";
  readonly reachable: boolean;
  /** Why it could not be audited, when it was not reachable. */
  readonly error?: string;
  readonly serverVersion?: string;
  /** Who the audit logged in as, and whether that role is a superuser. */
  readonly user?: string;
  readonly superuser?: boolean;
  /** The cluster it belongs to in the inventory, when known. */
  readonly cluster?: string;
}

/** A check that ran on a target, and whether it passed: what the scores are made of. */
export interface CheckRun {
  readonly check: string;
  readonly target: string;
  readonly layer: Layer;
  readonly severity: Severity;
  readonly passed: boolean;
}

/** A check that could not run on a target, and what would let it. */
export interface CheckNotRun {
  readonly check: string;
  readonly title: string;
  readonly target: string;
  readonly layer: Layer;
  readonly reason: string;
  /** The grant that would let it run, when a privilege was missing. */
  readonly grant?: string;
}

/** A certificate seen during the audit, for the expiry timeline. */
export interface CertificateSighting {
  readonly target: string;
  /** Where it was seen: `served on the wire`, a file path. */
  readonly seenAt: string;
  readonly subject: string;
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/** A score from 0 to 100: the share of the checks' weight that passed. */
export interface Score {
  readonly score: number;
  readonly checksRun: number;
  readonly checksPassed: number;
}

export type Soc2Status = "met" | "partly met" | "not met" | "not assessed";

/** One row of 001's SOC 2 table, filled in for the fleet audited. */
export interface Soc2Row {
  readonly control: Soc2Control;
  readonly title: string;
  readonly status: Soc2Status;
  /** Why this status, in a sentence. */
  readonly basis: string;
  /** Fingerprints of the findings behind it. */
  readonly findings: readonly string[];
}

/** Compared with an earlier report (--baseline): what is new, what was fixed, what is unchanged. */
export interface BaselineComparison {
  readonly file: string;
  readonly generatedAt: string;
  /** Fingerprints of findings not in the baseline. */
  readonly new: readonly string[];
  readonly unchanged: readonly string[];
  /** The baseline's findings no longer found, on the targets audited now. */
  readonly fixed: readonly AuditFinding[];
}

/** The whole audit: what a text, JSON, SARIF or HTML report is rendered from. */
export interface AuditReport {
  readonly tool: "pgwarden";
  readonly version: string;
  readonly generatedAt: string;
  readonly targets: readonly TargetResult[];
  /** Worst first, then by target, check and subject. */
  readonly findings: readonly AuditFinding[];
  readonly checks: readonly CheckRun[];
  readonly notRun: readonly CheckNotRun[];
  readonly scores: { readonly overall: Score; readonly layers: Readonly<Record<Layer, Score>> };
  readonly soc2: readonly Soc2Row[];
  readonly certificates: readonly CertificateSighting[];
  readonly baseline?: BaselineComparison;
}
