import { readFile } from "node:fs/promises";
import { notFoundError } from "../errors.js";

/**
 * Reads a file the user named; a missing file is a not-found error (exit 4) that says
 * what the file was for, instead of a raw ENOENT.
 */
export async function readInputFile(path: string, what: string, code = "file-missing"): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFoundError(code, `${what} ${path} does not exist`);
    throw error;
  }
}
