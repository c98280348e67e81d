import { stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

import { loadInventory } from "../config/load-inventory.js";
import { usageError } from "../core/errors.js";
import { assertAncestorsSafe, assertOwnedByUs, checkPkiDirectory } from "../core/fs/safe-dir.js";
import { serverUser } from "../pg/os-user.js";
import { findServerBinaries } from "../pg/pg-binaries.js";
import { assertReachable, assertShellSafePath, readSandboxState } from "../pg/sandbox.js";
import { validateRoleName } from "../pki/role-name.js";
import { checkDeclaredPasswords } from "../roles/declared-password-policy.js";
import { desiredRoleModel } from "../roles/role-model.js";
import { SANDBOX_CLUSTER, sandboxInventoryPath } from "./sandbox-inventory.js";
import { sandboxRules } from "./sandbox-rules.js";

export interface QuickstartInputs {
  readonly dir: string;
  readonly role: string;
  readonly pgBin?: string;
  readonly now: Date;
  readonly env: NodeJS.ProcessEnv;
  /** Where the sandbox listens: the address the inventory's rules are rendered for. */
  readonly address: string;
}

/** The nearest path at or above `path` that exists, and what it is. */
async function nearestExisting(path: string): Promise<{ path: string; isDirectory: boolean }> {
  for (let current = path; ; current = dirname(current)) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => {
      // ENOTDIR: a file above it; going up finds that file.
      if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined;
      throw error;
    });
    if (info) return { path: current, isDirectory: info.isDirectory() };
    if (dirname(current) === current) return { path: current, isDirectory: true };
  }
}

/**
 * Everything quickstart reads, checked before it makes anything (a directory, the CA, a file,
 * a server): the role (a client certificate's CN, so a role name `cert` logins and pg_hba lines
 * take as is), the directory (a directory, or one that can be made, that the server's account
 * can enter), the server programs when a sandbox is still to be made, and an inventory left by
 * an earlier run (its rules render, its roles and passwords pass the policy). A refusal leaves
 * the machine as it was.
 */
export async function checkQuickstartInputs(inputs: QuickstartInputs): Promise<void> {
  validateRoleName(inputs.role, "--role");
  const { dir } = inputs;
  assertShellSafePath(resolve(dir));
  const existing = await nearestExisting(dir);
  if (!existing.isDirectory) {
    throw usageError(
      "quickstart-dir",
      `--dir ${dir}: ${existing.path} is not a directory: give a directory, or a path where one can be made`,
    );
  }
  await assertOwnedByUs(dir, "--dir");
  await assertAncestorsSafe(existing.path === dir ? dirname(dir) : existing.path);
  // Quickstart makes its own layout, so the CLI's --pki check never sees it.
  checkPkiDirectory(join(dir, "pki"), "--dir's pki");
  const sandboxDir = join(dir, "sandbox");
  const sandbox = await readSandboxState(sandboxDir);
  if (inputs.pgBin !== undefined || sandbox === undefined) findServerBinaries(inputs.pgBin);
  await assertReachable(sandboxDir, await serverUser());

  const inventoryPath = sandboxInventoryPath(dir);
  const present = await stat(inventoryPath).then(
    () => true,
    () => false,
  );
  if (present) {
    await assertOwnedByUs(inventoryPath, "the inventory");
    const inventory = await loadInventory(inventoryPath);
    await sandboxRules(inventory, inputs.address);
    checkDeclaredPasswords(await desiredRoleModel(inventory, SANDBOX_CLUSTER, { env: inputs.env, now: inputs.now }));
  }
}
