import { ExitCode, PgwardenError } from "../../core/errors.js";
import { readLiveRules } from "../../hba/live-rules.js";
import { type HbaFile } from "../../hba/model.js";
import { type Fact, FactUnavailable } from "../fact.js";

/** What lets a role that is not a superuser read pg_hba_file_rules (PostgreSQL 15): both statements. */
export const HBA_RULES_GRANT =
  "GRANT SELECT ON pg_catalog.pg_hba_file_rules TO <auditor>; " +
  "GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO <auditor>;";

/**
 * The HBA rules as the server reads them (pg_hba_file_rules), each at its file:line, with
 * the lines it could not parse. Needs a superuser, or both SELECT on the view and EXECUTE on the
 * function under it (PostgreSQL 15: either one alone is "permission denied").
 */
export const hbaRulesFact: Fact<HbaFile> = {
  id: "hba-rules",
  scope: "server",
  async collect(source) {
    try {
      return await readLiveRules(source.client);
    } catch (error) {
      if (error instanceof PgwardenError && error.exitCode === ExitCode.privilege)
        throw new FactUnavailable({
          kind: "privilege",
          reason:
            "pg_hba_file_rules is readable by superusers only, unless SELECT on the view and EXECUTE on its function are granted",
          grant: HBA_RULES_GRANT,
        });
      throw error;
    }
  },
};
