import { readFile } from "node:fs/promises";
import { notFoundError, usageError } from "../errors.js";

/** Environment variable that may hold the CA key passphrase (never argv). */
export const PASSPHRASE_ENV = "PGWARDEN_CA_PASSPHRASE";

/**
 * The CA passphrase from `--passphrase-file` (its first line) or the environment.
 * Returns undefined when neither is given.
 */
export async function readPassphrase(file: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFoundError("passphrase-file-missing", `passphrase file ${file} does not exist`);
      throw error;
    }
    const passphrase = text.split(/\r?\n/)[0] ?? "";
    if (passphrase.length === 0) throw usageError("empty-passphrase", `passphrase file ${file} is empty: write the passphrase on its first line`);
    return passphrase;
  }
  const fromEnv = env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv.length === 0) throw usageError("empty-passphrase", `${PASSPHRASE_ENV} is set but empty`);
  return fromEnv;
}
