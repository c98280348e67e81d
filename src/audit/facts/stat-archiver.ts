import type pg from "pg";

import { type Fact } from "../fact.js";

/** How WAL archiving has gone since the last statistics reset (pg_stat_archiver). */
export interface ArchiverStats {
  readonly archivedCount: number;
  readonly lastArchivedWal?: string;
  readonly lastArchivedTime?: Date;
  readonly failedCount: number;
  readonly lastFailedWal?: string;
  readonly lastFailedTime?: Date;
  /** WAL segments waiting to be archived (.ready in pg_wal/archive_status), when the login may list them. */
  readonly ready?: { readonly count: number; readonly oldest?: Date };
}

interface ArchiverRow {
  readonly archived_count: string;
  readonly last_archived_wal: string | null;
  readonly last_archived_time: Date | null;
  readonly failed_count: string;
  readonly last_failed_wal: string | null;
  readonly last_failed_time: Date | null;
}

/**
 * pg_stat_archiver's single row (readable by every role) and, for superusers and pg_monitor,
 * the segments waiting in pg_wal/archive_status: an archive_command that is not found or
 * killed ends the archiver without counting a failure, so only the waiting segments show it.
 */
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
    const ready = await readySegments(source.client);
    if (!row) return { archivedCount: 0, failedCount: 0, ...(ready ? { ready } : {}) };
    return {
      ...(ready ? { ready } : {}),
      archivedCount: Number(row.archived_count),
      ...(row.last_archived_wal === null ? {} : { lastArchivedWal: row.last_archived_wal }),
      ...(row.last_archived_time === null ? {} : { lastArchivedTime: row.last_archived_time }),
      failedCount: Number(row.failed_count),
      ...(row.last_failed_wal === null ? {} : { lastFailedWal: row.last_failed_wal }),
      ...(row.last_failed_time === null ? {} : { lastFailedTime: row.last_failed_time }),
    };
  },
};

async function readySegments(client: pg.Client): Promise<ArchiverStats["ready"]> {
  const allowed = await client.query<{ allowed: boolean }>(
    "SELECT pg_catalog.has_function_privilege('pg_catalog.pg_ls_archive_statusdir()', 'EXECUTE') AS allowed",
  );
  if (!allowed.rows[0]?.allowed) return undefined;
  const rows = await client.query<{ count: string; oldest: Date | null }>(
    `SELECT count(*)::text AS count, min(modification) AS oldest
       FROM pg_catalog.pg_ls_archive_statusdir() WHERE name LIKE '%.ready'`,
  );
  const row = rows.rows[0];
  return { count: Number(row?.count ?? 0), ...(row?.oldest ? { oldest: row.oldest } : {}) };
}
