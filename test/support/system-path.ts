import { chmodSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The system's own directories, as a fresh login shell has them. */
const SYSTEM_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

let cached: string | undefined;

/**
 * The system PATH with no `pgwarden` on it: a directory that holds one (scripts/setup.sh links it
 * into npm's global bin, /usr/bin here, as CI does before the tests) is replaced by a mirror of
 * its other programs, so a test can prove what happens before the link step, or without it.
 */
export function systemPathWithoutPgwarden(): string {
  if (cached !== undefined) return cached;
  const dirs = SYSTEM_DIRS.map((dir) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return dir;
    }
    if (!names.includes("pgwarden")) return dir;
    const mirror = mkdtempSync(join(tmpdir(), "pgwarden-path-"));
    // Other users run from it too (a test runs the link step as nobody).
    chmodSync(mirror, 0o755);
    process.once("exit", () => rmSync(mirror, { recursive: true, force: true }));
    for (const name of names) if (name !== "pgwarden") symlinkSync(join(dir, name), join(mirror, name));
    return mirror;
  });
  cached = dirs.join(":");
  return cached;
}
