import type pg from "pg";

import { INSUFFICIENT_PRIVILEGE, isInsufficientPrivilege, sqlState } from "../pg/sqlstate.js";
import { readLiveRules } from "./live-rules.js";
import type { HbaFile } from "./model.js";
import { parseHbaText } from "./parse/index.js";

/** SQLSTATE undefined_file: pg_read_file's "could not open file ... No such file or directory". */
const UNDEFINED_FILE = "58P01";

const VERSION_SQL = "SELECT current_setting('server_version_num')::int AS version_num";
/** Needs a superuser or pg_read_all_settings. */
const HBA_FILE_SQL = "SELECT current_setting('hba_file') AS hba_file";
const READ_SQL = "SELECT pg_catalog.pg_read_file($1) AS text";
/** An include_dir's regular files; the path is a parameter, never part of the SQL text. */
const LIST_SQL =
  "SELECT name FROM pg_catalog.pg_ls_dir($1) AS name WHERE NOT (pg_catalog.pg_stat_file($1 || '/' || name)).isdir";

/** A running server's HBA rules, and where pgwarden read them. */
export interface ServerHba {
  /** The rules and the records the server would refuse, each at the server's file and line. */
  readonly file: HbaFile;
  /** The server's hba_file. */
  readonly path: string;
  readonly majorVersion: number;
  /**
   * file: the file itself, read with pg_read_file and parsed as the server's version reads it
   * (quotes, includes and `@file` lists as written); view: pg_hba_file_rules, because the role may not read files.
   */
  readonly readFrom: "file" | "view";
  /** With `view`: what cannot be known from it, for the person. */
  readonly limitation?: string;
}

/** An error that RecordReader reads as the file system's (ENOENT for a missing include_if_exists file). */
function asFileError(error: unknown, path: string): Error {
  const code =
    sqlState(error) === UNDEFINED_FILE ? "ENOENT" : sqlState(error) === INSUFFICIENT_PRIVILEGE ? "EACCES" : undefined;
  return Object.assign(
    new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`),
    code ? { code } : {},
  );
}

/**
 * Reads the HBA file a running server uses. The file itself when the role may read it
 * (pg_read_file: a superuser, or EXECUTE on it and membership in pg_read_server_files),
 * parsed by pgwarden as the server's major version reads it, with its includes and `@file`
 * lists read through the server too. Otherwise the rules as pg_hba_file_rules shows them,
 * which drops quotes: a token that reads as a keyword or `+group` may have been written
 * quoted (a name), so it is marked and explain says it cannot tell.
 * Like pg_hba_file_rules, this is the file on disk now, not necessarily the rules loaded.
 * `asVersion` reads the file as another major version would (default: the server's).
 */
export async function readServerHba(client: pg.Client, asVersion?: number): Promise<ServerHba> {
  const version = (await client.query<{ version_num: number }>(VERSION_SQL)).rows[0]?.version_num ?? 0;
  const majorVersion = asVersion ?? Math.floor(version / 10_000);
  let path = "the server's hba_file";
  let text: string | undefined;
  try {
    path = (await client.query<{ hba_file: string }>(HBA_FILE_SQL)).rows[0]?.hba_file ?? path;
    text = (await client.query<{ text: string }>(READ_SQL, [path])).rows[0]?.text;
  } catch (error) {
    if (!isInsufficientPrivilege(error)) throw error;
  }
  if (text === undefined) {
    return {
      file: await readLiveRules(client),
      path,
      majorVersion,
      readFrom: "view",
      limitation:
        `the role may not read ${path} (pg_read_file needs a superuser, or EXECUTE on it and pg_read_server_files), so the rules come from ` +
        "pg_hba_file_rules, which drops quotes: where a line says all, replication, sameuser, samerole or +group, whether it was quoted (a name) cannot be known",
    };
  }
  const file = await parseHbaText(text, path, {
    majorVersion,
    readFile: async (name) => {
      try {
        return (await client.query<{ text: string }>(READ_SQL, [name])).rows[0]?.text ?? "";
      } catch (error) {
        throw asFileError(error, name);
      }
    },
    readDir: async (name) => {
      try {
        return (await client.query<{ name: string }>(LIST_SQL, [name])).rows.map((row) => row.name);
      } catch (error) {
        throw asFileError(error, name);
      }
    },
  });
  return { file, path, majorVersion, readFrom: "file" };
}
