import { execFile } from "node:child_process";
import { lstat, readFile, symlink, unlink } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";

import { ExitCode, PgwardenError, usageError } from "../../core/errors.js";
import { ensureDirectory, PUBLIC_FILE_MODE, writeFileAtomic } from "../../core/fs/atomic-write.js";

export type TrustOs = "debian" | "el";

/**
 * Pigsty's recipe: the CA goes to /etc/pki/ca.crt on every node, and the OS trust
 * directory gets a link to it, then the OS rebuilds its bundle.
 */
export const TRUST_TARGETS: Readonly<Record<TrustOs, { anchorDir: string; update: readonly string[] }>> = {
  debian: { anchorDir: "/usr/local/share/ca-certificates", update: ["update-ca-certificates"] },
  el: { anchorDir: "/etc/pki/ca-trust/source/anchors", update: ["update-ca-trust"] },
};
export const DISTRIBUTED_CA_PATH = "/etc/pki/ca.crt";
export const ANCHOR_NAME = "ca.crt";

export function parseTrustOs(value: string): TrustOs {
  if (value === "debian" || value === "el") return value;
  throw usageError(
    "bad-os",
    `unknown --os "${value}": use debian (Debian, Ubuntu) or el (RHEL, Rocky, Alma, CentOS, Fedora)`,
  );
}

/** Reads /etc/os-release (under `root`) to tell the Debian family from the EL family. */
export async function detectTrustOs(root = "/"): Promise<TrustOs> {
  const text = await readFile(join(root, "etc/os-release"), "utf8").catch(() => "");
  const ids = [...text.matchAll(/^(?:ID|ID_LIKE)=["']?([^"'\n]*)/gm)].flatMap((match) => (match[1] ?? "").split(/\s+/));
  if (ids.some((id) => ["debian", "ubuntu"].includes(id))) return "debian";
  if (ids.some((id) => ["rhel", "fedora", "centos", "rocky", "almalinux"].includes(id))) return "el";
  throw usageError(
    "unknown-os",
    "cannot tell this system's trust store from /etc/os-release: pass --os debian or --os el",
  );
}

export interface TrustPlan {
  readonly os: TrustOs;
  /** Where the CA certificate is copied. */
  readonly caPath: string;
  /** The link in the OS trust directory. */
  readonly anchorPath: string;
  readonly updateCommand: readonly string[];
}

export function trustPlan(os: TrustOs, root = "/"): TrustPlan {
  const target = TRUST_TARGETS[os];
  return {
    os,
    caPath: join(root, DISTRIBUTED_CA_PATH),
    anchorPath: join(root, target.anchorDir, ANCHOR_NAME),
    updateCommand: target.update,
  };
}

/** The shell commands that do what `trust install` does, for a person or a playbook. */
export function trustScript(plan: TrustPlan, caPem: string): string {
  return [
    `install -d -m 0755 ${dirname(plan.caPath)}`,
    `cat > ${plan.caPath} <<'PGWARDEN_CA'`,
    caPem.trimEnd(),
    "PGWARDEN_CA",
    `chmod 0644 ${plan.caPath}`,
    `rm -f ${plan.anchorPath}`,
    `ln -s ${plan.caPath} ${plan.anchorPath}`,
    plan.updateCommand.join(" "),
  ].join("\n");
}

export interface TrustInstallResult {
  readonly plan: TrustPlan;
  /** The update command's outcome: run, or skipped (with --root or --no-update). */
  readonly updated: boolean;
}

/**
 * Installs the CA into the system trust store. With `runUpdate` false (as under --root)
 * the files are placed but the OS bundle is not rebuilt.
 */
export async function installTrust(plan: TrustPlan, caPem: string, runUpdate: boolean): Promise<TrustInstallResult> {
  await ensureDirectory(dirname(plan.caPath), 0o755);
  await ensureDirectory(dirname(plan.anchorPath), 0o755);
  await writeFileAtomic(plan.caPath, caPem, { mode: PUBLIC_FILE_MODE });
  if (await lstat(plan.anchorPath).catch(() => undefined)) await unlink(plan.anchorPath);
  // A relative link stays right whether the tree is the live system or a --root copy.
  await symlink(relative(dirname(plan.anchorPath), plan.caPath), plan.anchorPath);
  if (!runUpdate) return { plan, updated: false };
  try {
    await promisify(execFile)(plan.updateCommand[0] as string, plan.updateCommand.slice(1));
  } catch (error) {
    throw new PgwardenError(
      "trust-update-failed",
      `${plan.updateCommand.join(" ")} failed: ${(error as Error).message.split("\n")[0]}; the CA is in ${plan.caPath}, run it by hand`,
      ExitCode.privilege,
      { cause: error },
    );
  }
  return { plan, updated: true };
}
