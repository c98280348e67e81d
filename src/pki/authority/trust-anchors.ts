import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

import { PUBLIC_FILE_MODE, writeFileAtomic } from "../../core/fs/atomic-write.js";
import type { PkiLayout } from "../pki-layout.js";
import { readCertificateFile } from "./certificate-authority.js";
import { ROOT_ISSUER } from "./issuers.js";
import { listRotatedCas, rotatedDir } from "./rotated-cas.js";
import { finishRotation } from "./rotation-journal.js";

/**
 * The root certificates that verify this PKI's certificates, as one PEM bundle: `ca/ca.crt`,
 * then every root `ca rotate` replaced and `ca retire` has not yet retired. What clients get as
 * root.crt and servers as ssl_ca_file, so that certificates of the old and the new root both
 * verify while a rotation is under way.
 */
export async function trustedRootsPem(layout: PkiLayout): Promise<string> {
  await finishRotation(layout);
  const { pem } = await readCertificateFile(layout.caCert, "CA certificate");
  const rotated = (await listRotatedCas(rotatedDir(layout))).filter((ca) => ca.issuerName === ROOT_ISSUER);
  return [pem, ...rotated.map((ca) => ca.pem)].map((text) => (text.endsWith("\n") ? text : `${text}\n`)).join("");
}

/** `ca/roots.crt`: {@link trustedRootsPem} on disk, the sslrootcert people paste while a rotation is under way. */
export function trustedRootsPath(layout: PkiLayout): string {
  return join(layout.caDir, "roots.crt");
}

/**
 * Writes `ca/roots.crt` (atomically) when a rotated root exists or the file exists already (so that
 * `ca retire` drops the old root from it), and returns the file people should name as sslrootcert:
 * `ca/roots.crt` then, `ca/ca.crt` for a PKI that never rotated (nothing is written for it). Called by
 * `ca rotate` and `ca retire`, and by every command that prints the path, so a rotation killed before
 * the file was rewritten is repaired by the next one. `incoming`: roots about to take their place
 * (`ca rotate` writes the new one in before the swap, so a kill after it leaves the file complete).
 */
export async function writeTrustedRoots(layout: PkiLayout, incoming: readonly string[] = []): Promise<string> {
  const path = trustedRootsPath(layout);
  const trusted = await trustedRootsPem(layout);
  const extra = incoming
    .map((text) => (text.endsWith("\n") ? text : `${text}\n`))
    .filter((text) => !trusted.includes(text));
  const pem = `${trusted}${extra.join("")}`;
  const current = await readFile(path, "utf8").catch(() => undefined);
  const rotated = (await listRotatedCas(rotatedDir(layout))).some((ca) => ca.issuerName === ROOT_ISSUER);
  if (current === undefined && !rotated && extra.length === 0) return layout.caCert;
  if (current !== pem) await writeFileAtomic(path, pem, { mode: PUBLIC_FILE_MODE });
  return path;
}

/**
 * The anchor twins of the rotated client intermediates `ca rotate --intermediate client` kept
 * (`ca/rotated/client-<key id>.anchor.crt`), not retired yet: with the current twin, what a server's
 * ssl_ca_file holds while the client intermediate is being rotated. Empty when there is none.
 */
export async function rotatedAnchorPems(layout: PkiLayout, issuerName: string): Promise<string[]> {
  const dir = rotatedDir(layout);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  const pattern = new RegExp(`^${issuerName}-[0-9a-f]{16}\\.anchor\\.crt$`);
  const pems: string[] = [];
  for (const name of names.filter((entry) => pattern.test(entry)).sort()) {
    const pem = await readFile(join(dir, name), "utf8").catch(() => undefined);
    if (pem !== undefined && pem.includes("BEGIN CERTIFICATE")) pems.push(pem.endsWith("\n") ? pem : `${pem}\n`);
  }
  return pems;
}

/** The sslrootcert to name without writing anything: `ca/roots.crt` once a rotation made it, else `ca/ca.crt`. */
export function trustedRootsFile(layout: PkiLayout): string {
  return existsSync(trustedRootsPath(layout)) ? trustedRootsPath(layout) : layout.caCert;
}
