import type pg from "pg";

import { requireSuperuser } from "../pg/require-superuser.js";
import { planRoles, type RolePlan, type RolePlanOptions } from "./plan/plan-roles.js";
import { planScramIterations } from "./plan/scram-iterations.js";
import { readRoleCatalog } from "./role-catalog.js";
import type { RoleModel } from "./role-model.js";

/** Reads the live catalog of the server behind `client` and plans the change; nothing is changed. */
export async function planRolesOnServer(
  client: pg.Client,
  model: RoleModel,
  options: RolePlanOptions = {},
): Promise<RolePlan> {
  planScramIterations(options.scramIterations);
  await requireSuperuser(client, "planning roles reads pg_authid, where the stored passwords are");
  return planRoles(model, await readRoleCatalog(client, model.privilegeOwners), options);
}
