import { ExitCode, PgwardenError } from "../../core/errors.js";
import { readStoredRoles } from "../../roles/audit/read-stored-roles.js";
import { type StoredRole } from "../../roles/audit/stored-role.js";
import { type Fact, FactUnavailable } from "../fact.js";

/**
 * Every role with its stored secret (pg_authid), as the password audit reads it. pg_authid is
 * readable by superusers only: for any other login the checks that need it are listed as not run.
 */
export const storedRolesFact: Fact<readonly StoredRole[]> = {
  id: "stored-roles",
  scope: "server",
  async collect(source) {
    try {
      return await readStoredRoles(source.client);
    } catch (error) {
      if (error instanceof PgwardenError && error.exitCode === ExitCode.privilege)
        throw new FactUnavailable({
          kind: "privilege",
          reason: "the stored passwords (pg_authid) are readable by superusers only",
          grant: "log in as a superuser (pg_authid is readable by superusers only)",
        });
      throw error;
    }
  },
};
