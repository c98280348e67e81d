import assert from "node:assert/strict";
import { join } from "node:path";

import { type Cluster, findPgBinDir, runClient } from "./pg-cluster.js";

/**
 * Restarts a test cluster (`pg_ctl restart -m fast`, as its OS user), for settings read only at
 * start such as shared_preload_libraries; the port and files stay as they were.
 */
export async function restartCluster(cluster: Cluster): Promise<void> {
  const pgCtl = join(findPgBinDir(), "pg_ctl");
  const args = ["-D", cluster.dataDir, "-l", cluster.logFile, "-w", "-t", "60", "restart", "-m", "fast"];
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const result = asRoot
    ? await runClient("runuser", ["-u", cluster.osUser, "--", pgCtl, ...args], { cwd: cluster.baseDir })
    : await runClient(pgCtl, args, { cwd: cluster.baseDir });
  assert.equal(result.code, 0, `pg_ctl restart failed: ${result.stderr}${result.stdout}`);
}
