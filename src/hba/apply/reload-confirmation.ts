import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { type ReloadVerdict, reloadVerdict } from "./reload-log.js";
import { locateServerLog, type LogCursor, type LogFacts, readLogSince, type ServerLog } from "./server-log.js";

/** An answer from the server, or the news that it now refuses pgwarden's login. */
export type Asked<T> =
  { readonly refused: false; readonly value: T } | { readonly refused: true; readonly message: string };

/** What confirming a reload needs from a server. */
export interface ReloadProbes {
  /** Runs SQL whose last statement returns one JSON value in a column `doc`. */
  ask<T>(sql: string): Promise<Asked<T>>;
  /** Returns once a backend forked after the call has answered (postmaster-barrier.ts). */
  barrier(): Promise<void>;
}

export const LOAD_TIME_SQL = "SELECT to_json(pg_catalog.pg_conf_load_time()::text) AS doc";

const RELOAD_TIMEOUT_MS = 15_000;
const LOG_TIMEOUT_MS = 5_000;
const POLL_MS = 50;

export type ReloadOutcome = ReloadVerdict & { readonly evidence?: string };

/**
 * What the server did at the reload that followed `loadTimeBefore`: a session sees the
 * postmaster's reload begin (pg_conf_load_time moves; it also moves when pg_hba.conf is
 * refused, as it is about postgresql.conf), a fresh backend proves it ended, then a marker
 * logged by pgwarden bounds what the server wrote about it, which the log is read up to.
 * A login refused on the way means the new rules are in force: the old ones let pgwarden in.
 */
export async function confirmReload(
  probes: ReloadProbes,
  cursor: LogCursor,
  loadTimeBefore: string,
  given?: string,
): Promise<ReloadOutcome> {
  const inForce = (message: string): ReloadOutcome => ({
    kind: "loaded",
    evidence: `the server now refuses pgwarden's own login, which the old rules let in (${message})`,
  });
  const deadline = Date.now() + RELOAD_TIMEOUT_MS;
  for (;;) {
    const asked = await probes.ask<string>(LOAD_TIME_SQL);
    if (asked.refused) return inForce(asked.message);
    if (asked.value !== loadTimeBefore) break;
    if (Date.now() > deadline)
      return {
        kind: "unconfirmed",
        why: `the server did not reload its configuration within ${RELOAD_TIMEOUT_MS / 1000} s`,
      };
    await sleep(POLL_MS);
  }
  await probes.barrier();
  const sentinel = `pgwarden hba apply ${randomBytes(8).toString("hex")}`;
  // The marker is pgwarden's own hex, never user input.
  const marked = await probes.ask<LogFacts>(`DO $$BEGIN RAISE LOG '%', '${sentinel}'; END$$;
SELECT json_build_object('logfile', pg_catalog.pg_current_logfile(), 'dataDirectory', pg_catalog.current_setting('data_directory')) AS doc`);
  if (marked.refused) return inForce(marked.message);
  // The collector may have moved on to a new file since the cursor was taken.
  const now: ServerLog =
    (given === undefined && cursor.log.via === "pg_current_logfile()"
      ? await locateServerLog(marked.value)
      : undefined) ?? cursor.log;
  const logDeadline = Date.now() + LOG_TIMEOUT_MS;
  let text = await readLogSince(cursor, now);
  // The logging collector writes what it is sent a moment later.
  while (!text.includes(sentinel) && Date.now() < logDeadline) {
    await sleep(POLL_MS);
    text = await readLogSince(cursor, now);
  }
  const verdict = reloadVerdict(text, sentinel);
  return verdict.kind === "loaded"
    ? {
        ...verdict,
        evidence: `the server's log (${cursor.log.path}, from ${cursor.log.via}) shows the reload with no complaint about pg_hba.conf`,
      }
    : verdict;
}
