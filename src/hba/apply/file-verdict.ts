/** One row of pg_hba_file_rules, as far as its verdict goes. */
export interface HbaFileRow {
  readonly line: number;
  /** Null when the server could not make a rule of the line. */
  readonly type: string | null;
  readonly error: string | null;
}

export const FILE_ROWS_SQL = `SELECT coalesce(json_agg(json_build_object('line', line_number, 'type', type, 'error', error) ORDER BY line_number), '[]') AS doc
  FROM pg_catalog.pg_hba_file_rules`;

/** Why PostgreSQL would not load the file, where pg_hba_file_rules can tell; undefined when it would. */
export interface FileRefusal {
  readonly line?: number;
  /** PostgreSQL's words when it has any. */
  readonly message: string;
  /** Further refused lines. */
  readonly more: number;
  /** The view shows the line with neither a rule nor an error: PostgreSQL's reason is only in its log. */
  readonly silent?: boolean;
}

/**
 * PostgreSQL 15's load_hba, replayed on pg_hba_file_rules. The view shows the file on disk
 * but is more lenient than a reload in two ways, both checked on PostgreSQL 15 here:
 * - a line whose option PostgreSQL refuses without a message for the view (clientname=XY)
 *   is a row with neither a type nor an error, yet the reload fails on it;
 * - a file with no rule at all (empty, comments only) is no rows, yet the reload fails with
 *   "configuration file ... contains no entries", and a restart then fails to start.
 */
export function fileRefusal(rows: readonly HbaFileRow[], hbaFile: string): FileRefusal | undefined {
  const refused = rows.filter((row) => row.error !== null || row.type === null);
  const [first] = refused;
  if (first) {
    if (first.error !== null) return { line: first.line, message: first.error, more: refused.length - 1 };
    const message =
      "PostgreSQL cannot make a rule of this line, and gives pg_hba_file_rules no reason (it says why in its log, at reload)";
    return { line: first.line, message, more: refused.length - 1, silent: true };
  }
  if (rows.length === 0) return { message: `configuration file "${hbaFile}" contains no entries`, more: 0 };
  return undefined;
}
