import { type SourceLocation } from "../../core/source-location.js";
import { type Fact, FactUnavailable } from "../fact.js";

/** A line of the configuration files the server could not use (pg_file_settings.error). */
export interface FileSettingError {
  readonly source: SourceLocation;
  /** The parameter the line sets, when the line could be parsed that far. */
  readonly name?: string;
  /** The server's own words: `syntax error`, `setting could not be applied`, ... */
  readonly error: string;
}

interface FileSettingRow {
  readonly sourcefile: string | null;
  readonly sourceline: number | null;
  readonly name: string | null;
  readonly error: string;
}

/** What lets a role that is not a superuser read pg_file_settings (PostgreSQL 15): both statements. */
export const FILE_SETTINGS_GRANT =
  "GRANT SELECT ON pg_catalog.pg_file_settings TO <auditor>; " +
  "GRANT EXECUTE ON FUNCTION pg_catalog.pg_show_all_file_settings() TO <auditor>;";

/**
 * The errors in postgresql.conf and its includes as the server reads them now
 * (pg_file_settings, which re-reads the files on each query). Reading the view needs, besides a
 * superuser, both SELECT on the view and EXECUTE on the function under it, pg_show_all_file_settings()
 * (PostgreSQL 15: either one alone is "permission denied"); both are checked first, so the advice names both.
 */
export const fileSettingErrorsFact: Fact<readonly FileSettingError[]> = {
  id: "file-settings-errors",
  scope: "server",
  async collect(source) {
    const allowed = await source.client.query<{ view: boolean; function: boolean }>(
      `SELECT pg_catalog.has_table_privilege('pg_catalog.pg_file_settings', 'SELECT') AS view,
        pg_catalog.has_function_privilege('pg_catalog.pg_show_all_file_settings()', 'EXECUTE') AS function`,
    );
    const row = allowed.rows[0];
    if (!row?.view || !row.function)
      throw new FactUnavailable({
        kind: "privilege",
        reason:
          "pg_file_settings is readable by superusers only, unless SELECT on the view and EXECUTE on its function are granted",
        grant: FILE_SETTINGS_GRANT,
      });
    const rows = await source.client.query<FileSettingRow>(
      `SELECT sourcefile, sourceline, name, error FROM pg_catalog.pg_file_settings
        WHERE error IS NOT NULL ORDER BY seqno`,
    );
    return rows.rows.map((row) => ({
      source: { file: row.sourcefile ?? "(unknown file)", line: row.sourceline ?? 0 },
      ...(row.name === null ? {} : { name: row.name }),
      error: row.error,
    }));
  },
};
