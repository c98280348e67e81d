import { type FindingBase } from "../core/finding.js";
import { type SourceLocation } from "../core/source-location.js";
import { type Layer } from "./layer.js";
import { type Soc2Control } from "./soc2.js";

/**
 * One thing the audit saw that led to a finding: a setting and where it is set, a rule and
 * its line, a role, a certificate field, a file's mode. Never a secret.
 */
export interface Evidence {
  /** What was looked at: `setting ssl`, `rule`, `role app`, `certificate notAfter`, `file server.key`. */
  readonly label: string;
  /** What it was. */
  readonly value: string;
  /** Where it is written, when it is written in a file. */
  readonly source?: SourceLocation;
}

/**
 * A finding of the live audit: one thing wrong on one target (a server, or the inventory),
 * with the evidence seen and the fix. `id` is the check's id; `subject` tells apart the
 * findings one check makes on one target (a role, a rule, a database) and, with the check and
 * the target, identifies the finding from one run to the next (`fingerprint`).
 */
export interface AuditFinding extends FindingBase {
  readonly title: string;
  readonly layer: Layer;
  readonly soc2: readonly Soc2Control[];
  /** The CIS PostgreSQL benchmark section, where one applies (`6.7`). */
  readonly cis?: string;
  /** The target's name as the report lists it (`127.0.0.1:5432`, or the inventory file). */
  readonly target: string;
  readonly subject: string;
  readonly evidence: readonly Evidence[];
  /** Stable across runs: the check, the target and the subject, hashed. */
  readonly fingerprint: string;
}
