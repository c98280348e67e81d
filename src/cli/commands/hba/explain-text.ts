import type { AuthenticationOutcome } from "../../../hba/explain/authentication.js";
import type { ConnectionExplanation } from "../../../hba/explain/explain-connection.js";
import type { HbaMatrix, MatrixCell } from "../../../hba/explain/matrix.js";
import type { Connection } from "../../../hba/match.js";
import type { HbaRule } from "../../../hba/model.js";
import { table } from "../../render.js";

/** `line 7` in the file being explained, `file:line` elsewhere (an include, an inventory). */
const lineOf = (rule: HbaRule, mainFile: string) =>
  rule.source.file === mainFile ? `line ${rule.source.line}` : `${rule.source.file}:${rule.source.line}`;

export function connectionText(connection: Connection): string {
  const database = connection.replication ? "physical replication" : `database ${connection.database}`;
  const from =
    connection.address === "local"
      ? "over the unix socket"
      : `from ${connection.address}${connection.ssl ? " over TLS" : " without TLS"}`;
  const certificate = connection.certificate
    ? ` with a client certificate for ${connection.certificate.commonName}`
    : "";
  const groups =
    connection.memberOf === undefined
      ? "memberships unknown"
      : connection.memberOf.length === 0
        ? "member of no role"
        : `member of ${connection.memberOf.join(", ")}`;
  return `${connection.user} to ${database} ${from}${certificate} (${groups})`;
}

/** `cert → would fail: ...`, `scram-sha-256 → allowed, demands a password (SCRAM-SHA-256)`. */
function outcomeText(method: string, outcome: AuthenticationOutcome): string {
  switch (outcome.access) {
    case "allowed":
      return `${method} → allowed, demands ${outcome.demands}`;
    case "refused":
      return `${method} → would fail: ${outcome.reason}`;
    case "unknown":
      return `${method} → cannot tell: ${outcome.reason}`;
  }
}

const MEMBERSHIP_HINT =
  "memberships: give --member-of ROLE (repeatable) or --no-member-of, or ask the server with --conn";

const VERDICT = { allowed: "allowed", refused: "refused", unknown: "cannot tell" } as const;

/** One explanation for a person: the undecided lines, the line that matches, what it does, what is never reached, the verdict. */
export function explanationText(explained: ConnectionExplanation, source: string, mainFile: string): string {
  const lines = [`${source}: ${connectionText(explained.connection)}`];
  for (const candidate of explained.undecided) {
    lines.push(
      `may match ${lineOf(candidate.rule, mainFile)}: ${candidate.rule.text.trim()}`,
      `  cannot tell: ${candidate.unknown}`,
      `  if it does: ${outcomeText(candidate.rule.method, candidate.outcome)}`,
    );
  }
  if (explained.first) {
    const { rule, outcome } = explained.first;
    lines.push(`matches ${lineOf(rule, mainFile)}: ${rule.text.trim()}`, `  ${outcomeText(rule.method, outcome)}`);
  } else {
    lines.push(
      explained.undecided.length > 0
        ? "no line surely matches: if none of the above does, PostgreSQL rejects (no pg_hba.conf entry)"
        : "no line matches: PostgreSQL rejects (no pg_hba.conf entry)",
    );
  }
  if (explained.later.length > 0) {
    lines.push("would also match, never reached (PostgreSQL does not try later lines once one matches):");
    for (const rule of explained.later) lines.push(`  ${lineOf(rule, mainFile)}: ${rule.text.trim()}`);
  }
  const undecided =
    explained.undecided.length > 0
      ? ` (${explained.undecided.map((candidate) => lineOf(candidate.rule, mainFile)).join(", ")} may match first: see above)`
      : "";
  // The server's words, unless the matched line's outcome above already gave them.
  const told =
    explained.verdict === "refused" &&
    explained.serverMessage !== undefined &&
    !(explained.first?.outcome.reason ?? "").includes(explained.serverMessage);
  if (told) lines.push(`the client is told: ${explained.serverMessage}`);
  lines.push(`verdict: ${VERDICT[explained.verdict]}${undecided}`);
  if (explained.undecided.length > 0 && explained.connection.memberOf === undefined) lines.push(MEMBERSHIP_HINT);
  return lines.join("\n");
}

function cellText(cell: MatrixCell | undefined): string {
  if (!cell) return "-";
  const mark = cell.undecided ? " ?" : "";
  if (cell.method === undefined) return cell.undecided ? "no sure rule ?" : "no rule: rejected";
  return `${cell.method} (line ${cell.line})${mark}`;
}

/** The matrix as one table: a row per role, database and source; a column without and one with TLS. */
export function matrixText(matrix: HbaMatrix): string {
  const instance = matrix.instance
    ? `instance ${matrix.instance.name ?? matrix.instance.host}`
    : "the cluster as a whole";
  const header = `${matrix.file} (cluster ${matrix.cluster}, ${instance}): the first matching line's method for each connection`;
  const rows = matrix.rows.map((row) => [
    row.role,
    row.replication ? "(replication)" : row.database,
    row.network,
    row.address,
    cellText(row.plain),
    cellText(row.tls),
  ]);
  const notes = ["with TLS: the client presents a certificate for its own role; - : no TLS over the unix socket"];
  if (matrix.rows.some((row) => row.plain.undecided || row.tls?.undecided))
    notes.push("? : an earlier line may match (host name, samehost, samenet): explain that connection for the details");
  return [
    header,
    "",
    table(["role", "database", "from", "address", "without TLS", "with TLS"], rows),
    "",
    ...notes,
  ].join("\n");
}
