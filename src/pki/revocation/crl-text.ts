import { readFile } from "node:fs/promises";

import { pkiError } from "../../core/errors.js";

/**
 * A CRL file's text, or undefined when there is none. Anything else in its place (a directory, a file
 * that cannot be read) is a PKI failure naming the path and the fix, never an internal error.
 */
export async function readCrlText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    const what = code === "EISDIR" ? "is a directory, not a CRL file" : `cannot be read (${code ?? String(error)})`;
    throw pkiError("bad-crl-path", `${path} ${what}: move it away, then run pgwarden crl`, error);
  }
}
