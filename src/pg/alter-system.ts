import { resolve } from "node:path";

import type pg from "pg";

import { ExitCode, PgwardenError } from "../core/errors.js";
import { requireSuperuser } from "./require-superuser.js";

/** A running server reached over a connection as a superuser (`pg tls --conn`). */
export interface ServerFacts {
  readonly dataDirectory: string;
  readonly port: number;
  readonly version: string;
}

export async function serverFacts(client: pg.Client): Promise<ServerFacts> {
  await requireSuperuser(client, "ALTER SYSTEM and writing into the data directory need one");
  const facts = await client.query<{ data_directory: string; port: string; version: string }>(
    "SELECT current_setting('data_directory') AS data_directory, current_setting('port') AS port, current_setting('server_version') AS version",
  );
  const row = facts.rows[0] as { data_directory: string; port: string; version: string };
  return { dataDirectory: resolve(row.data_directory), port: Number(row.port), version: row.version };
}

const SETTING_NAME = /^[a-z_]+$/;

/**
 * Sets each parameter that differs from what the server runs with through ALTER SYSTEM.
 * Names come from pgwarden's own list (checked); values are quoted by the driver.
 */
export async function alterSystem(
  client: pg.Client,
  settings: Readonly<Record<string, string>>,
  dryRun: boolean,
): Promise<string[]> {
  const names = Object.keys(settings);
  const current = await client.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_settings WHERE name = ANY($1)",
    [names],
  );
  const now = new Map(current.rows.map((row) => [row.name, row.setting]));
  const changed = names.filter((name) => now.get(name) !== settings[name]);
  if (dryRun) return changed;
  for (const name of changed) {
    if (!SETTING_NAME.test(name))
      throw new PgwardenError("bad-setting", `refusing to set "${name}"`, ExitCode.internal);
    await client.query(`ALTER SYSTEM SET ${name} = ${client.escapeLiteral(settings[name] as string)}`);
  }
  return changed;
}

export async function reloadConf(client: pg.Client): Promise<void> {
  await client.query("SELECT pg_reload_conf()");
}

/** Errors PostgreSQL found in its configuration files, and its current log file, for a rejected reload. */
export async function configErrors(client: pg.Client): Promise<{ errors: string[]; logFile?: string }> {
  const errors = await client.query<{ where: string; error: string }>(
    "SELECT coalesce(sourcefile || ':' || sourceline, '') AS where, error FROM pg_file_settings WHERE error IS NOT NULL",
  );
  const log = await client.query<{ file: string | null }>("SELECT pg_current_logfile() AS file").catch(() => undefined);
  return {
    errors: errors.rows.map((row) => `${row.where} ${row.error}`.trim()),
    logFile: log?.rows[0]?.file ?? undefined,
  };
}
