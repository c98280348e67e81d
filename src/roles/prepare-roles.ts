import { loadInventory } from "../config/load-inventory.js";
import { problemPlace } from "../config/problem-list.js";
import { readInputFile } from "../core/fs/read-input.js";
import { parseWordlist } from "./audit/candidates/wordlist.js";
import { checkDeclaredPasswords } from "./declared-password-policy.js";
import type { CharacterClass, PasswordPolicy } from "./password-policy.js";
import type { RolePlanOptions } from "./plan/plan-roles.js";
import { planScramIterations } from "./plan/scram-iterations.js";
import { desiredRoleModel, type RoleModel } from "./role-model.js";

/** What `role plan` and `role apply` are asked, before any server is involved. */
export interface RolePreparationRequest {
  /** The Pigsty inventory file. */
  readonly inventory: string;
  readonly cluster: string;
  readonly scramIterations?: number;
  readonly minLength?: number;
  readonly requiredClasses?: readonly CharacterClass[];
  /** A word list (one a line, `#` comments) no declared password may be, compared without case. */
  readonly denylistFile?: string;
}

export interface RolePreparationIo {
  /** Where `{env: NAME}` passwords are read from. */
  readonly env: NodeJS.ProcessEnv;
  readonly now: Date;
  /** The inventory's warnings, and the role model's, told as they are found. */
  readonly onWarning: (message: string) => void;
}

export interface PreparedRoles {
  readonly model: RoleModel;
  readonly planOptions: RolePlanOptions;
}

/**
 * Everything that needs no server, checked before connecting: the inventory, the passwords it
 * points to, and the password policy (a violation is thrown, exit 3, naming user and rule).
 */
export async function prepareRoles(request: RolePreparationRequest, io: RolePreparationIo): Promise<PreparedRoles> {
  planScramIterations(request.scramIterations);
  const policy = await passwordPolicy(request);
  const inventory = await loadInventory(request.inventory);
  inventory.warnings.forEach(io.onWarning);
  const model = await desiredRoleModel(inventory, request.cluster, { env: io.env, now: io.now });
  checkDeclaredPasswords(model, policy);
  // Only warnings are left (an error was thrown above): told before connecting, so they are seen when no server answers.
  for (const problem of model.problems.filter((each) => each.severity === "warning"))
    io.onWarning(`${problemPlace(problem)}${problem.message}`);
  return { model, planOptions: { scramIterations: request.scramIterations } };
}

async function passwordPolicy(request: RolePreparationRequest): Promise<PasswordPolicy> {
  const denylist =
    request.denylistFile === undefined
      ? undefined
      : new Set(parseWordlist(await readInputFile(request.denylistFile, "denylist")).map((word) => word.toLowerCase()));
  return {
    minLength: request.minLength,
    requiredClasses: request.requiredClasses === undefined ? undefined : [...request.requiredClasses],
    denylist,
  };
}
