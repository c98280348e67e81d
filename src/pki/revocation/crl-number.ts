import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { pkiError } from "../../core/errors.js";
import {
  ensureDirectory,
  PRIVATE_DIR_MODE,
  PUBLIC_FILE_MODE,
  syncDirectory,
  writeFileAtomic,
} from "../../core/fs/atomic-write.js";
import type { PkiLayout } from "../pki-layout.js";

/*
 * Each issuer's last CRL number, `db/crl/<issuer>.number`, one decimal line. It is advanced
 * (written atomically, directory synced) before the CRL that carries the new number is
 * written, under the issuer's lock (`crl-lock.ts`): a kill between the two skips a number,
 * never reuses one.
 */

/** The state file of an issuer's CRL number. */
export function crlNumberPath(layout: PkiLayout, issuerName: string): string {
  return join(layout.crlStateDir, `${issuerName}.number`);
}

/** The lock file CRL writers of an issuer take. */
export function crlLockPath(layout: PkiLayout, issuerName: string): string {
  return join(layout.crlStateDir, `${issuerName}.lock`);
}

/** The last number given to the issuer's CRLs, 0 when none was. */
export async function lastCrlNumber(layout: PkiLayout, issuerName: string): Promise<number> {
  const path = crlNumberPath(layout, issuerName);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
  if (!/^[0-9]{1,15}\n?$/.test(text))
    throw pkiError(
      "bad-crl-number",
      `${path} does not hold a CRL number (one decimal line): write into it the highest number of the issuer's CRLs ` +
        "(openssl crl -noout -crlnumber), then run pgwarden crl again",
    );
  return Number(text.trim());
}

/**
 * Advances the issuer's CRL number past both the stored number and `floor` (the number of the
 * CRL on disk, in case the state was lost) and stores it. Call it holding the issuer's lock.
 */
export async function advanceCrlNumber(layout: PkiLayout, issuerName: string, floor = 0): Promise<number> {
  const next = Math.max(await lastCrlNumber(layout, issuerName), floor) + 1;
  await ensureDirectory(layout.crlStateDir, PRIVATE_DIR_MODE);
  await writeFileAtomic(crlNumberPath(layout, issuerName), `${next}\n`, { mode: PUBLIC_FILE_MODE });
  await syncDirectory(layout.crlStateDir);
  return next;
}
