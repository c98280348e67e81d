import { type Fact } from "../fact.js";

/** A tablespace and the directory it lives in. */
export interface Tablespace {
  readonly name: string;
  /** pg_tablespace_location(): absolute, or relative to PGDATA for an in-place tablespace. */
  readonly location: string;
}

/** The tablespaces with a location of their own (pg_default and pg_global have none), in one query. */
export const tablespacesFact: Fact<readonly Tablespace[]> = {
  id: "pgdata-tablespaces",
  scope: "server",
  async collect(source) {
    const rows = await source.client.query<{ name: string; location: string }>(
      `SELECT spcname AS name, pg_catalog.pg_tablespace_location(oid) AS location
         FROM pg_catalog.pg_tablespace WHERE pg_catalog.pg_tablespace_location(oid) <> '' ORDER BY spcname`,
    );
    return rows.rows;
  },
};
