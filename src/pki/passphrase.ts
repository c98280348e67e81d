import { usageError } from "../errors.js";
import { readInputFile } from "../fs/read-input.js";

/** Environment variable that may hold the CA key passphrase (never argv). */
export const PASSPHRASE_ENV = "PGWARDEN_CA_PASSPHRASE";

/**
 * The CA passphrase from `--passphrase-file` (its first line) or the environment.
 * Returns undefined when neither is given.
 */
export async function readPassphrase(file: string | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (file !== undefined) {
    const text = await readInputFile(file, "passphrase file", "passphrase-file-missing");
    const passphrase = text.split(/\r?\n/)[0] ?? "";
    if (passphrase.length === 0) throw usageError("empty-passphrase", `passphrase file ${file} is empty: write the passphrase on its first line`);
    return passphrase;
  }
  const fromEnv = env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv.length === 0) throw usageError("empty-passphrase", `${PASSPHRASE_ENV} is set but empty`);
  return fromEnv;
}
