import type pg from "pg";

import { PgwardenError } from "../../core/errors.js";
import { quoteIdentifier } from "../../core/identifier.js";
import { type Fact, type ServerSource } from "../fact.js";

/** A database the audit looks into: one that accepts connections (template0 does not). */
export interface DatabaseEntry {
  readonly name: string;
  /** The database the audit's own connection is in: looked at through that connection, not a new one. */
  readonly current: boolean;
}

/** A database the auditor could not look into, and why: that database's checks are not run, the others' are. */
export interface DatabaseNotExamined {
  readonly database: string;
  readonly reason: string;
  /** The grant that would let the auditor in, when a missing privilege is the reason. */
  readonly grant?: string;
}

/** What a per-database fact saw in each database it could enter, and the databases it could not. */
export interface PerDatabase<T> {
  readonly seen: readonly { readonly database: string; readonly value: T }[];
  readonly notExamined: readonly DatabaseNotExamined[];
}

/**
 * Every database that allows connections (pg_database.datallowconn, so never template0),
 * template1 included: what is planted there is copied into every database created later.
 * pg_database is readable by any role.
 */
export const databasesFact: Fact<readonly DatabaseEntry[]> = {
  id: "databases",
  scope: "server",
  async collect(source) {
    const result = await source.client.query<{ datname: string; current: boolean }>(
      `SELECT datname, datname = current_database() AS current FROM pg_catalog.pg_database
       WHERE datallowconn AND datname <> 'template0' ORDER BY datname`,
    );
    return result.rows.map((row) => ({ name: row.datname, current: row.current }));
  },
};

/** Databases looked into at once: each is a connection (and a SCRAM exchange) of its own. */
const DATABASE_CONCURRENCY = 4;

/**
 * Runs `work` (one query: one round trip) in every database of {@link databasesFact}, a few
 * databases at a time, the current one through the audit's own connection. A database the
 * auditor cannot enter (no CONNECT privilege, an HBA rule that rejects it) is listed in
 * `notExamined` with the reason; the others are still examined.
 */
export async function collectPerDatabase<T>(
  source: ServerSource,
  work: (client: pg.Client) => Promise<T>,
): Promise<PerDatabase<T>> {
  const databases = await source.get(databasesFact);
  const outcomes = new Array<{ database: string; value: T } | DatabaseNotExamined>(databases.length);
  let next = 0;
  const worker = async () => {
    while (next < databases.length) {
      const index = next++;
      const database = databases[index] as DatabaseEntry;
      try {
        const value = database.current ? await work(source.client) : await source.inDatabase(database.name, work);
        outcomes[index] = { database: database.name, value };
      } catch (error) {
        if (!(error instanceof PgwardenError) && !isServerError(error)) throw error;
        outcomes[index] = notExamined(database.name, source.connection.user, error.message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DATABASE_CONCURRENCY, databases.length) }, worker));
  return {
    seen: outcomes.filter((outcome): outcome is { database: string; value: T } => "value" in outcome),
    notExamined: outcomes.filter((outcome): outcome is DatabaseNotExamined => "reason" in outcome),
  };
}

/** An error the server sent (it has a SQLSTATE), as opposed to a bug here. */
function isServerError(error: unknown): error is Error & { readonly code: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "string";
}

function notExamined(database: string, auditor: string, reason: string): DatabaseNotExamined {
  // "permission denied for database" (42501) is what a missing CONNECT privilege looks like through openConnection.
  return /permission denied for database/i.test(reason)
    ? {
        database,
        reason,
        grant: `GRANT CONNECT ON DATABASE ${quoteIdentifier(database)} TO ${quoteIdentifier(auditor)}`,
      }
    : { database, reason };
}
