import { type Severity } from "../core/finding.js";
import { type SourceLocation } from "../core/source-location.js";
import { type Evidence } from "./audit-finding.js";
import { type Fact, type FactSource } from "./fact.js";
import { type Layer } from "./layer.js";
import { type CertificateSighting } from "./report/audit-report.js";
import { type Soc2Control } from "./soc2.js";

/** What a check says about one thing wrong; the runner adds the check's metadata, the target and the fingerprint. */
export interface FindingDraft {
  /** Tells this finding apart from the check's others on the same target: a role, a rule's line, a database. */
  readonly subject: string;
  readonly message: string;
  readonly evidence: readonly Evidence[];
  /** The fix for this finding when it is more precise than the check's (the role's own ALTER ROLE). */
  readonly fix?: string;
  /** When this finding is worse or milder than the check's usual severity (expired vs expiring). */
  readonly severity?: Severity;
  /** When the finding is a finding of a rule of its own (an hba lint rule): its id and title. */
  readonly id?: string;
  readonly title?: string;
  readonly why?: string;
  readonly source?: SourceLocation;
}

/** What a check reads: the facts it declared, all collected before it runs. */
export interface CheckContext {
  readonly now: Date;
  /** The target's name as the report lists it. */
  readonly target: string;
  /** A fact the check declared in `facts` (collected) or `optionalFacts` (undefined when it could not be had). */
  fact<T>(fact: Fact<T, never>): T;
  optional<T>(fact: Fact<T, never>): T | undefined;
  /** Puts a certificate on the report's expiry timeline. */
  sawCertificate(certificate: Omit<CertificateSighting, "target">): void;
}

/**
 * One audit check, one file each (src/audit/checks/<family>/<id>.ts): what it is about, where it
 * sits (layer, SOC 2 controls, CIS section), what it needs to see, and a judgement over what it
 * saw. Checks never query: they judge facts, so each is a small pure function tested on
 * literal facts, and a server is read once however many checks look at it.
 */
export interface AuditCheck {
  /** `family/name`: `tls/ssl-off`. */
  readonly id: string;
  readonly title: string;
  readonly layer: Layer;
  /** The severity of its findings unless a finding says otherwise. */
  readonly severity: Severity;
  readonly soc2: readonly Soc2Control[];
  readonly cis?: string;
  /** A server's check or the inventory's. */
  readonly scope: FactSource["kind"];
  /** Why it matters, said once for all its findings. */
  readonly why: string;
  /** How to fix it: SQL, a configuration line, or the pgwarden command. */
  readonly fix: string;
  /** Facts it cannot run without: when one is unavailable the check is listed as not run, with the reason. */
  readonly facts: readonly Fact<unknown, never>[];
  /** Facts it uses when they are there. */
  readonly optionalFacts?: readonly Fact<unknown, never>[];
  run(context: CheckContext): readonly FindingDraft[] | Promise<readonly FindingDraft[]>;
}
