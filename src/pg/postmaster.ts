import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** What a running server wrote into `postmaster.pid`: the port and where it listens. */
export interface PostmasterInfo {
  readonly pid: number;
  readonly port: number;
  readonly socketDir?: string;
  /** The first listen address (`*` means every address). */
  readonly listenAddress?: string;
}

/** Reads PGDATA/postmaster.pid; undefined when the server is not running (or left no file). */
export async function readPostmasterPid(pgdata: string): Promise<PostmasterInfo | undefined> {
  const text = await readFile(join(pgdata, "postmaster.pid"), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const lines = text.split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  const listen = lines[5]?.trim().split(/[\s,]+/)[0];
  return { pid, port, socketDir: lines[4]?.trim() || undefined, listenAddress: listen || undefined };
}

/** The loopback address to probe a server on, from its listen address. */
export function probeAddress(info: PostmasterInfo): string {
  const listen = info.listenAddress;
  if (!listen || listen === "*" || listen === "0.0.0.0" || listen === "localhost") return "127.0.0.1";
  if (listen === "::") return "::1";
  return listen;
}
