import { readdir, readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";

import { type Field, listFileOf, logicalLines, tokenizeFields } from "../../core/auth-file-tokens.js";
import { type HbaToken } from "../../core/auth-file-tokens.js";
import { type SourceLocation } from "../../core/source-location.js";

/**
 * The records of an HBA file with its include directives and `@file` lists read in, in the
 * order PostgreSQL sees them (hba.c tokenize_auth_file). A record that could not be read
 * carries its error and is not parsed further.
 */
export interface HbaRecord {
  readonly source: SourceLocation;
  readonly text: string;
  readonly fields: readonly Field[];
  readonly error?: string;
}

/** How files are read; tests pass in-memory versions. */
export interface FileAccess {
  readonly readFile: (path: string) => Promise<string>;
  /** Names of the regular files in a directory (subdirectories left out). */
  readonly readDir: (path: string) => Promise<string[]>;
}

export const NODE_FILE_ACCESS: FileAccess = {
  readFile: (path) => readFile(path, "utf8"),
  readDir: async (path) =>
    (await readdir(path, { withFileTypes: true })).filter((entry) => !entry.isDirectory()).map((entry) => entry.name),
};

/** PostgreSQL's CONF_FILE_MAX_DEPTH: deeper nesting is refused. */
const MAX_INCLUDE_DEPTH = 10;

const INCLUDE_DIRECTIVES = new Set(["include", "include_if_exists", "include_dir"]);

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
};

type Opened = { readonly text: string } | { readonly error: string; readonly missing: boolean };

/** A path named in `from`: relative names are taken from the directory of the file that names them. */
export function includedPath(from: string, name: string): string {
  return isAbsolute(name) ? name : join(dirname(from), name);
}

/** Receives records one by one, so a large file's tokens need not all be alive at once. */
export type RecordSink = (record: HbaRecord) => void;

/**
 * Reads an HBA file's records, following includes. Each file is read once per reader.
 * `chain` is the files being read above a file (a file in its own chain is a loop), `depth`
 * counts nesting as PostgreSQL does (an include or an `@file` is one level).
 */
export class RecordReader {
  private readonly contents = new Map<string, Promise<string>>();

  /** `includes: false` (PostgreSQL before 16): `include*` lines are records like any other, which the rule parser refuses. */
  constructor(
    private readonly files: FileAccess,
    private readonly syntax: { readonly includes: boolean } = { includes: true },
  ) {}

  async read(file: string, text: string, sink: RecordSink): Promise<void> {
    await this.readRecords(file, text, [resolve(file)], 0, sink);
  }

  private async readRecords(
    file: string,
    text: string,
    chain: readonly string[],
    depth: number,
    sink: RecordSink,
  ): Promise<void> {
    for (const { line, text: recordText } of logicalLines(text)) {
      const source = { file, line };
      let fields = tokenizeFields(recordText);
      if (fields.length === 0) continue;
      if (recordText.includes("@") && fields.some((field) => field.some((token) => listFileOf(token) !== undefined))) {
        const expanded = await this.expandLists(file, fields, chain, depth);
        if ("error" in expanded) {
          sink({ source, text: recordText, fields, error: expanded.error });
          continue;
        }
        fields = expanded.fields;
      }
      const directive = fields.length === 2 ? (fields[0]?.[0]?.value ?? "") : "";
      if (this.syntax.includes && INCLUDE_DIRECTIVES.has(directive)) {
        const errors = await this.include(directive, file, fields[1]?.[0]?.value ?? "", chain, depth + 1, sink);
        for (const error of errors) sink({ source, text: recordText, fields, error });
        continue;
      }
      sink({ source, text: recordText, fields });
    }
  }

  /** `include`, `include_if_exists`, `include_dir`: their records go in place of the directive. */
  private async include(
    directive: string,
    from: string,
    target: string,
    chain: readonly string[],
    depth: number,
    sink: RecordSink,
  ): Promise<string[]> {
    if (directive !== "include_dir") {
      const path = includedPath(from, target);
      const opened = await this.open(path, chain, depth);
      if ("error" in opened) return opened.missing && directive === "include_if_exists" ? [] : [opened.error];
      await this.readRecords(path, opened.text, [...chain, resolve(path)], depth, sink);
      return [];
    }
    const directory = includedPath(from, target);
    let names: string[];
    try {
      names = await this.files.readDir(directory);
    } catch (error) {
      return [`could not open directory "${directory}": ${reason(error)}`];
    }
    const errors: string[] = [];
    // PostgreSQL takes files ending in .conf, not hidden ones, in strcmp order.
    const confFiles = names.filter((name) => name.endsWith(".conf") && !name.startsWith(".")).sort(byteOrder);
    for (const name of confFiles) {
      const path = join(directory, name);
      const opened = await this.open(path, chain, depth);
      if ("error" in opened) errors.push(opened.error);
      else await this.readRecords(path, opened.text, [...chain, resolve(path)], depth, sink);
    }
    return errors;
  }

  /** Replaces each `@file` token with the tokens of that file (all its records, flattened). */
  private async expandLists(
    from: string,
    fields: readonly Field[],
    chain: readonly string[],
    depth: number,
  ): Promise<{ fields: Field[] } | { error: string }> {
    const expanded: Field[] = [];
    for (const field of fields) {
      const tokens: HbaToken[] = [];
      for (const token of field) {
        const name = listFileOf(token);
        if (name === undefined) {
          tokens.push(token);
          continue;
        }
        const path = includedPath(from, name);
        const opened = await this.open(path, chain, depth + 1);
        if ("error" in opened) return { error: opened.error };
        const records: HbaRecord[] = [];
        await this.readRecords(path, opened.text, [...chain, resolve(path)], depth + 1, (record) =>
          records.push(record),
        );
        for (const record of records) {
          if (record.error !== undefined) return { error: record.error };
          for (const listed of record.fields) for (const item of listed) tokens.push(item);
        }
      }
      expanded.push(tokens);
    }
    return { fields: expanded };
  }

  private async open(path: string, chain: readonly string[], depth: number): Promise<Opened> {
    const absolute = resolve(path);
    if (chain.includes(absolute))
      return {
        error: `could not open file "${path}": include loop (${[...chain, absolute].join(" -> ")})`,
        missing: false,
      };
    if (depth > MAX_INCLUDE_DEPTH)
      return { error: `could not open file "${path}": maximum nesting depth exceeded`, missing: false };
    let pending = this.contents.get(absolute);
    if (!pending) {
      pending = this.files.readFile(path);
      this.contents.set(absolute, pending);
    }
    try {
      return { text: await pending };
    } catch (error) {
      return {
        error: `could not open file "${path}": ${reason(error)}`,
        missing: (error as NodeJS.ErrnoException).code === "ENOENT",
      };
    }
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && Object.hasOwn(ERRNO_TEXT, code)) return ERRNO_TEXT[code] as string;
  return error instanceof Error ? error.message : String(error);
}

/** strcmp order (code units; the same as bytes for the ASCII names config files have). */
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
