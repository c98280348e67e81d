import { readFile } from "node:fs/promises";

import { notFoundError, usageError } from "../errors.js";

/**
 * Reads a file the user named, as bytes; a missing file (or one under a path whose parent is
 * a file) is a not-found error (exit 4) and a directory a usage error (exit 2), each saying
 * what the file was for.
 */
export async function readInputBytes(path: string, what: string, code = "file-missing"): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno === "ENOENT" || errno === "ENOTDIR") throw notFoundError(code, `${what} ${path} does not exist`);
    if (errno === "EISDIR") throw usageError("not-a-file", `${what} ${path} is a directory: give a file`);
    throw error;
  }
}

/** {@link readInputBytes}, as UTF-8 text. */
export async function readInputFile(path: string, what: string, code = "file-missing"): Promise<string> {
  return (await readInputBytes(path, what, code)).toString("utf8");
}
