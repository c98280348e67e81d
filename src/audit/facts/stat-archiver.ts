import { type Fact } from "../fact.js";

/** How WAL archiving has gone since the last statistics reset (pg_stat_archiver). */
export interface ArchiverStats {
  readonly archivedCount: number;
  readonly lastArchivedWal?: string;
  readonly lastArchivedTime?: Date;
  readonly failedCount: number;
  readonly lastFailedWal?: string;
  readonly lastFailedTime?: Date;
}

interface ArchiverRow {
  readonly archived_count: string;
  readonly last_archived_wal: string | null;
  readonly last_archived_time: Date | null;
  readonly failed_count: string;
  readonly last_failed_wal: string | null;
  readonly last_failed_time: Date | null;
}

/** pg_stat_archiver's single row; readable by every role. */
export const archiverStatsFact: Fact<ArchiverStats> = {
  id: "stat-archiver",
  scope: "server",
  async collect(source) {
    const rows = await source.client.query<ArchiverRow>(
      `SELECT archived_count::text AS archived_count, last_archived_wal, last_archived_time,
              failed_count::text AS failed_count, last_failed_wal, last_failed_time
         FROM pg_catalog.pg_stat_archiver`,
    );
    const row = rows.rows[0];
    if (!row) return { archivedCount: 0, failedCount: 0 };
    return {
      archivedCount: Number(row.archived_count),
      ...(row.last_archived_wal === null ? {} : { lastArchivedWal: row.last_archived_wal }),
      ...(row.last_archived_time === null ? {} : { lastArchivedTime: row.last_archived_time }),
      failedCount: Number(row.failed_count),
      ...(row.last_failed_wal === null ? {} : { lastFailedWal: row.last_failed_wal }),
      ...(row.last_failed_time === null ? {} : { lastFailedTime: row.last_failed_time }),
    };
  },
};
