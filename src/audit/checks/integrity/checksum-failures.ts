import { type AuditCheck } from "../../audit-check.js";
import { databaseStatsFact } from "../../facts/database-stats.js";

/** pg_stat_database counted pages whose checksum did not match: data on disk is damaged. */
export const checksumFailures: AuditCheck = {
  id: "integrity/checksum-failures",
  title: "Pages failed their checksum",
  layer: "data",
  severity: "critical",
  soc2: ["CC9.1", "A1.2"],
  cis: "1.4.3",
  scope: "server",
  why: "A checksum failure is a page that changed on disk behind the server's back: storage is failing or something writes into the data files. The damaged rows are unreadable or wrong, and replicas or backups taken since may carry the damage.",
  fix: "find the damaged relations (pg_checksums --check -D <PGDATA> with the server stopped, or pg_amcheck), check the storage, restore them from a backup taken before pg_stat_database.checksum_last_failure, then SELECT pg_stat_reset(); in that database so that a new failure shows",
  facts: [databaseStatsFact],
  run(context) {
    return context
      .fact(databaseStatsFact)
      .filter((stats) => (stats.checksumFailures ?? 0) > 0)
      .map((stats) => {
        const database = stats.database ?? "(shared catalogs)";
        const last = stats.lastChecksumFailure?.toISOString();
        return {
          subject: database,
          message: `${stats.checksumFailures} page(s) failed their checksum in database ${database}${last ? `, last at ${last}` : ""}`,
          evidence: [
            { label: `database ${database}`, value: `pg_stat_database.checksum_failures = ${stats.checksumFailures}` },
            ...(last ? [{ label: `database ${database}`, value: `checksum_last_failure = ${last}` }] : []),
          ],
        };
      });
  },
};
