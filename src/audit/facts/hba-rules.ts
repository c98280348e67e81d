import { ExitCode, PgwardenError } from "../../core/errors.js";
import { readLiveRules } from "../../hba/live-rules.js";
import { type HbaFile } from "../../hba/model.js";
import { type Fact, FactUnavailable } from "../fact.js";

/**
 * The HBA rules as the server reads them (pg_hba_file_rules), each at its file:line, with
 * the lines it could not parse. Needs a superuser, or EXECUTE on pg_hba_file_rules().
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
          reason: "pg_hba_file_rules is readable only by superusers",
          grant: "GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO <auditor>",
        });
      throw error;
    }
  },
};
