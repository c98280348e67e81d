import { stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { loadInventory } from "../config/load-inventory.js";
import { pkiError, usageError } from "../errors.js";
import { checkPkiDirectory } from "../fs/safe-dir.js";
import { renderHba } from "../hba/render/index.js";
import { findServerBinaries } from "../pg/pg-binaries.js";
import { serverUser } from "../pg/os-user.js";
import { assertReachable, readSandboxState } from "../pg/sandbox.js";
import { validateRoleName } from "../pki/role-name.js";
import { checkDeclaredPasswords } from "../roles/declared-password-policy.js";
import { desiredRoleModel } from "../roles/role-model.js";
import { SANDBOX_CLUSTER, sandboxInventoryPath } from "./sandbox-inventory.js";

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

/** Group or world write permission. */
const WRITABLE_BY_OTHERS = 0o022;

/**
 * What quickstart takes from an existing `--dir` (the CA, an inventory whose rules it installs,
 * the sandbox's state) must be this user's alone: a directory or file another account owns or
 * may write could plant access rules that quickstart then installs (a `trust` line).
 */
async function assertOwnedByUs(path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info || typeof process.getuid !== "function") return;
  const uid = process.getuid();
  if (info.uid !== uid) {
    throw pkiError("quickstart-foreign", `${what} ${path} belongs to another user (uid ${info.uid}): quickstart would use what it holds; give a --dir of your own`);
  }
  if ((info.mode & WRITABLE_BY_OTHERS) !== 0) {
    const mode = (info.mode & 0o7777).toString(8).padStart(4, "0");
    throw pkiError("quickstart-writable", `${what} ${path} may be written by other users (mode ${mode}): run chmod go-w ${path}, check what is in it, or give another --dir`);
  }
}

const STICKY = 0o1000;

/**
 * A directory above `--dir` that another user may rename entries in (writable by others without
 * the sticky bit, or owned by another user than this one and root) lets them swap `--dir` for a
 * directory of their own between runs.
 */
async function assertAncestorsSafe(from: string): Promise<void> {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  for (let current = from; ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info && uid !== undefined) {
      const open = (info.mode & WRITABLE_BY_OTHERS) !== 0 && (info.mode & STICKY) === 0;
      if (open || (info.uid !== uid && info.uid !== 0)) {
        const mode = (info.mode & 0o7777).toString(8).padStart(4, "0");
        throw pkiError(
          "quickstart-ancestor",
          `${current}, above --dir, can be changed by other users (mode ${mode}, owner uid ${info.uid}): they could swap --dir for a directory of theirs; give a --dir under a directory only you (or root) can write`,
        );
      }
    }
    if (dirname(current) === current) return;
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
  const existing = await nearestExisting(dir);
  if (!existing.isDirectory) {
    throw usageError("quickstart-dir", `--dir ${dir}: ${existing.path} is not a directory: give a directory, or a path where one can be made`);
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
    renderHba(inventory, SANDBOX_CLUSTER, { target: "pg", instance: inputs.address });
    checkDeclaredPasswords(await desiredRoleModel(inventory, SANDBOX_CLUSTER, { env: inputs.env, now: inputs.now }));
  }
}
