import { stat } from "node:fs/promises";

import { usageError } from "../../core/errors.js";
import { readInputBytes } from "../../core/fs/read-input.js";

/** Environment variable that may hold the CA key passphrase (never argv). */
export const PASSPHRASE_ENV = "PGWARDEN_CA_PASSPHRASE";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The passphrase reaches OpenSSL as the UTF-8 bytes of a string, so a passphrase that is not
 * UTF-8 cannot be kept byte for byte: decoded leniently, \xfe\xff and \xff\xfe would both
 * become U+FFFD U+FFFD and unlock each other's keys. Such a passphrase is refused instead.
 */
function decodeStrict(bytes: Buffer, source: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw usageError(
      "passphrase-not-utf8",
      `${source} is not valid UTF-8: write the passphrase as UTF-8 text (re-encrypt a key made with other bytes: openssl pkcs8 -topk8 -v2 aes-256-cbc)`,
    );
  }
}

/**
 * The CA passphrase from `--passphrase-file` (its first line, without the line break) or the
 * environment. Returns undefined when neither is given.
 */
export async function readPassphrase(
  file: string | undefined,
  env: NodeJS.ProcessEnv,
  onWarning?: (message: string) => void,
): Promise<string | undefined> {
  if (file !== undefined) {
    const bytes = await readInputBytes(file, "passphrase file", "passphrase-file-missing");
    // Whoever can read the file can use the CA key: say so (as ssh does of a private key), without refusing a key in use.
    const mode = (await stat(file).catch(() => undefined))?.mode;
    if (mode !== undefined && (mode & 0o077) !== 0)
      onWarning?.(
        `passphrase file ${file} can be read by group or others (mode 0${(mode & 0o777).toString(8)}): chmod 600 ${file}`,
      );
    // The first line, without its "\n" or "\r\n".
    const newline = bytes.indexOf(0x0a);
    const end = newline < 0 ? bytes.length : newline > 0 && bytes[newline - 1] === 0x0d ? newline - 1 : newline;
    const passphrase = decodeStrict(bytes.subarray(0, end), `passphrase file ${file}`);
    if (passphrase.length === 0)
      throw usageError("empty-passphrase", `passphrase file ${file} is empty: write the passphrase on its first line`);
    return passphrase;
  }
  const fromEnv = env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv.length === 0)
    throw usageError("empty-passphrase", `${PASSPHRASE_ENV} is set but empty`);
  // Node has already decoded the environment, putting U+FFFD where its bytes were not UTF-8.
  if (fromEnv?.includes("\uFFFD"))
    throw usageError(
      "passphrase-not-utf8",
      `${PASSPHRASE_ENV} is not valid UTF-8 (it holds U+FFFD): set it to UTF-8 text`,
    );
  return fromEnv;
}
