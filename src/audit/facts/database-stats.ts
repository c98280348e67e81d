import { type Fact } from "../fact.js";

/** One database's integrity counters (pg_stat_database), from the last statistics reset on. */
export interface DatabaseStats {
  /** The database; undefined for the row of the shared catalogs (pg_authid, pg_database...). */
  readonly database?: string;
  /** Pages whose checksum did not match when read; null when checksums are off. */
  readonly checksumFailures: number | null;
  readonly lastChecksumFailure?: Date;
}

interface DatabaseStatsRow {
  readonly datname: string | null;
  readonly checksum_failures: string | null;
  readonly checksum_last_failure: Date | null;
}

/** pg_stat_database's checksum counters for every database, in one query; readable by every role. */
export const databaseStatsFact: Fact<readonly DatabaseStats[]> = {
  id: "database-stats",
  scope: "server",
  async collect(source) {
    const rows = await source.client.query<DatabaseStatsRow>(
      `SELECT datname, checksum_failures::text AS checksum_failures, checksum_last_failure
         FROM pg_catalog.pg_stat_database ORDER BY datname NULLS FIRST`,
    );
    return rows.rows.map((row) => ({
      ...(row.datname === null ? {} : { database: row.datname }),
      checksumFailures: row.checksum_failures === null ? null : Number(row.checksum_failures),
      ...(row.checksum_last_failure === null ? {} : { lastChecksumFailure: row.checksum_last_failure }),
    }));
  },
};
