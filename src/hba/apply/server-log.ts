import { open, readlink, stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";

import { readPostmasterPid } from "../../pg/postmaster.js";

/** Where a server writes its log, and how pgwarden found out. */
export interface ServerLog {
  readonly path: string;
  /** For messages: "pg_current_logfile()", "the postmaster's stderr, FILE", "--server-log". */
  readonly via: string;
}

/** What the server says about its log: pg_current_logfile() (null without logging_collector) and its data directory. */
export interface LogFacts {
  readonly logfile: string | null;
  readonly dataDirectory: string;
}

export const LOG_FACTS_SQL = `SELECT json_build_object('logfile', pg_catalog.pg_current_logfile(),
  'dataDirectory', pg_catalog.current_setting('data_directory')) AS doc`;

const isRegularFile = (path: string) =>
  stat(path).then(
    (info) => info.isFile(),
    () => false,
  );

/**
 * The file the server's messages go to, as this machine sees it: the one named (--server-log),
 * else the logging collector's current file, else the file the postmaster's stderr is
 * (`pg_ctl -l`, Debian's pg_ctlcluster), read through /proc. Undefined when none can be read
 * here (stderr into journald or /dev/null, syslog only, another host).
 */
export async function locateServerLog(facts: LogFacts, given?: string): Promise<ServerLog | undefined> {
  if (given !== undefined) return (await isRegularFile(given)) ? { path: given, via: "--server-log" } : undefined;
  if (facts.logfile !== null) {
    const path = isAbsolute(facts.logfile) ? facts.logfile : join(facts.dataDirectory, facts.logfile);
    return (await isRegularFile(path)) ? { path, via: "pg_current_logfile()" } : undefined;
  }
  const postmaster = await readPostmasterPid(facts.dataDirectory);
  if (!postmaster) return undefined;
  // The postmaster's fd 2: opening it through /proc reads the very file it writes, even one renamed or deleted since.
  const path = `/proc/${postmaster.pid}/fd/2`;
  if (!(await isRegularFile(path))) return undefined;
  const file = await readlink(path).catch(() => "a file");
  return { path, via: `the postmaster's stderr, ${file}` };
}

/** A place in the log: what was written after it is what the server said since. */
export interface LogCursor {
  readonly log: ServerLog;
  readonly offset: number;
}

export async function logCursor(log: ServerLog): Promise<LogCursor> {
  return { log, offset: (await stat(log.path)).size };
}

async function readFrom(path: string, offset: number): Promise<string> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    // A log truncated since (copytruncate) is read from its start.
    const from = size < offset ? 0 : offset;
    const buffer = Buffer.alloc(size - from);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, from);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await file.close();
  }
}

/** What the server logged since `cursor`; when the collector has moved to another file (`now`), the rest of the old one and all of the new. */
export async function readLogSince(cursor: LogCursor, now: ServerLog = cursor.log): Promise<string> {
  const old = await readFrom(cursor.log.path, cursor.offset);
  return now.path === cursor.log.path ? old : old + (await readFrom(now.path, 0));
}
