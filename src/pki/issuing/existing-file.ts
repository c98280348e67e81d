import { readFile } from "node:fs/promises";

/** A file's text; undefined when there is none, and empty (so unreadable as PEM) when it cannot be read. */
export async function readExisting(path: string): Promise<string | undefined> {
  return readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? undefined : ""));
}
