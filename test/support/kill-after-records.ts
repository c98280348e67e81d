import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";

import { PGWARDEN_BIN } from "./cli.js";

/** How many record files the PKI holds: one more for every chunk of pairs a batch has put in place. */
export async function recordFiles(pki: string): Promise<number> {
  return (await readdir(join(pki, "db", "certs")).catch(() => [] as string[])).filter((name) => name.endsWith(".jsonl"))
    .length;
}

/**
 * Starts `pgwarden ARGS` (a batch that writes record files: cert issue --cn-file, cert renew) and kills
 * it with SIGKILL once `chunks` more record files exist, then `jitterMs` later, so kills land at any
 * step of a chunk on a fast or a slow machine alike. True when the kill landed before the batch ended.
 */
export async function runAndKillAfterRecords(
  pki: string,
  args: readonly string[],
  chunks: number,
  jitterMs: number,
): Promise<boolean> {
  const baseline = await recordFiles(pki);
  const child = spawn(process.execPath, [PGWARDEN_BIN, ...args], { stdio: "ignore" });
  let running = true;
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on("exit", (_code, signal) => {
      running = false;
      resolve(signal);
    }),
  );
  while (running && (await recordFiles(pki)) < baseline + chunks)
    await new Promise((resolve) => setTimeout(resolve, 2));
  await new Promise((resolve) => setTimeout(resolve, jitterMs));
  child.kill("SIGKILL");
  return (await exited) === "SIGKILL";
}
