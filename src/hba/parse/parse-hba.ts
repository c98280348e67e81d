import { ExitCode, notFoundError, PgwardenError, usageError } from "../../core/errors.js";
import type { HbaFile, HbaParseError, HbaRule } from "../model.js";
import { NODE_FILE_ACCESS, RecordReader } from "./records.js";
import { parseRecord } from "./rule.js";

export interface ParseOptions {
  /**
   * Reads the HBA file and the files it includes (`include*` directives, `@file` lists).
   * Default: the file system, as UTF-8.
   */
  readonly readFile?: (path: string) => Promise<string>;
  /**
   * Lists the regular files of an `include_dir` directory (names only).
   * Default: the file system, subdirectories left out.
   */
  readonly readDir?: (path: string) => Promise<string[]>;
  /**
   * The PostgreSQL major version the file is for. Before 16 a token starting with `/` is a
   * plain name (not a regular expression) and `include` lines are not directives (PostgreSQL
   * refuses them as an invalid connection type). Default: 16 or later.
   */
  readonly majorVersion?: number;
}

/** PostgreSQL 16 added `/regex` database and role tokens and the include directives of pg_hba.conf. */
export const FIRST_MAJOR_WITH_HBA_REGEX_AND_INCLUDES = 16;

/**
 * Reads a pg_hba.conf as PostgreSQL 16 does (or the older version {@link ParseOptions.majorVersion}
 * names), with its include directives and `@file` lists.
 * Like the server's pg_hba_file_rules, a bad record does not stop the reading: every rule
 * that parses is returned, and every record that does not is an error with its file and line.
 * Only a top-level file that cannot be read at all throws.
 */
export async function parseHbaFile(path: string, options: ParseOptions = {}): Promise<HbaFile> {
  let text: string;
  try {
    text = await (options.readFile ?? NODE_FILE_ACCESS.readFile)(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw notFoundError("hba-file-missing", `HBA file ${path} does not exist`);
    if (code === "EISDIR")
      throw usageError("hba-file-directory", `${path} is a directory: give the pg_hba.conf file itself`);
    throw new PgwardenError(
      "hba-file-unreadable",
      `cannot read HBA file ${path}: ${error instanceof Error ? error.message : String(error)}`,
      ExitCode.config,
      { cause: error },
    );
  }
  return parseHbaText(text, path, options);
}

/** Parses HBA text that came from `file` (its name is the source of every rule, and the base of relative includes). */
export async function parseHbaText(text: string, file: string, options: ParseOptions = {}): Promise<HbaFile> {
  const modern =
    (options.majorVersion ?? FIRST_MAJOR_WITH_HBA_REGEX_AND_INCLUDES) >= FIRST_MAJOR_WITH_HBA_REGEX_AND_INCLUDES;
  const reader = new RecordReader(
    { readFile: options.readFile ?? NODE_FILE_ACCESS.readFile, readDir: options.readDir ?? NODE_FILE_ACCESS.readDir },
    { includes: modern },
  );
  const rules: HbaRule[] = [];
  const errors: HbaParseError[] = [];
  await reader.read(file, text, (record) => {
    const parsed = parseRecord(record, { regex: modern });
    if ("message" in parsed) errors.push(parsed);
    else rules.push(parsed);
  });
  return { rules, errors };
}
