import { readFile } from "node:fs/promises";
import { notFoundError, usageError } from "../errors.js";

/**
 * Reads a file the user named; a missing file is a not-found error (exit 4) and a
 * directory a usage error (exit 2), each saying what the file was for.
 */
export async function readInputFile(path: string, what: string, code = "file-missing"): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFoundError(code, `${what} ${path} does not exist`);
    if ((error as NodeJS.ErrnoException).code === "EISDIR") throw usageError("not-a-file", `${what} ${path} is a directory: give a file`);
    throw error;
  }
}
