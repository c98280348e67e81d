import { linkSync, unlinkSync } from "node:fs";
import { relative, sep } from "node:path";

import { ExitCode, notFoundError, PgwardenError, usageError } from "../../core/errors.js";
import { ensureDirectory, PRIVATE_DIR_MODE, syncDirectory } from "../../core/fs/atomic-write.js";
import { checkPkiDirectory } from "../../core/fs/safe-dir.js";
import type { PkiLayout } from "../pki-layout.js";
import { readRevocations } from "../records/revocations.js";
import { rewriteCombinedCrl } from "../revocation/crl-writer.js";
import { certificatesSignedBy } from "./certificates-signed-by.js";
import { listRotatedCas, retiredDir, type RotatedCa, rotatedDir, rotatedPaths } from "./rotated-cas.js";
import { finishRotation } from "./rotation-journal.js";
import { writeTrustedRoots } from "./trust-anchors.js";

/*
 * `ca retire OLD`: a CA that `ca rotate` replaced (the root or an intermediate) leaves every trust bundle once nothing valid
 * depends on it. Its files move from `ca/rotated/` to `ca/retired/` (kept: pgwarden never deletes
 * a key); the bundles pgwarden writes afterwards (pg tls, cert export, sandbox) no longer hold it.
 */

/** A certificate that still needs the CA: signed by it, on disk in the PKI, not expired, not revoked. */
export interface Dependant {
  /** Relative to the PKI root. */
  readonly path: string;
  readonly subject: string;
  readonly serial: string;
  readonly notAfter: string;
}

function matches(ca: RotatedCa, selector: string): boolean {
  const wanted = selector.toLowerCase().replace(/:/g, "");
  const commonName = /(?:^|\n)CN=([^\n]*)/.exec(ca.certificate.subject)?.[1];
  const stem = rotatedPaths("", ca.issuerName, ca.keyId).certPath.replace(/\.crt$/, "");
  return (
    selector === commonName ||
    selector === stem ||
    (wanted.length >= 8 &&
      /^[0-9a-f]+$/.test(wanted) &&
      (ca.keyId.startsWith(wanted) || ca.certificate.fingerprint256.replace(/:/g, "").toLowerCase().startsWith(wanted)))
  );
}

function label(ca: RotatedCa): string {
  const commonName = /(?:^|\n)CN=([^\n]*)/.exec(ca.certificate.subject)?.[1] ?? ca.issuerName;
  return `${commonName} (key id ${ca.keyId.slice(0, 16)}, expires ${new Date(ca.certificate.validTo).toISOString()})`;
}

/** The rotated CA `selector` names: its CN, its file stem (`ca-<key id>`), or a prefix of its key id or SHA-256 fingerprint (8 hex digits or more). */
export async function findRotatedCa(layout: PkiLayout, selector: string): Promise<RotatedCa> {
  const rotated = await listRotatedCas(rotatedDir(layout));
  const found = rotated.filter((ca) => matches(ca, selector));
  if (found.length === 1) return found[0] as RotatedCa;
  if (found.length > 1)
    throw usageError(
      "ambiguous-ca",
      `${JSON.stringify(selector)} names ${found.length} rotated CAs (${found.map(label).join("; ")}): give more of the key id`,
    );
  const list =
    rotated.length === 0 ? "there is none (ca rotate makes them)" : `there are: ${rotated.map(label).join("; ")}`;
  throw notFoundError(
    "ca-not-rotated",
    `no rotated CA matches ${JSON.stringify(selector)}; only a CA that ca rotate replaced can be retired, and ${list}`,
  );
}

/**
 * What still depends on a rotated CA at `now`: leaves it signed, and CAs it signed that are still trusted
 * (a current intermediate `ca/<name>-ca.crt`, or one rotated but not retired in `ca/rotated/`). Copies of a
 * CA's certificate elsewhere (a leaf's fullchain file) count as that CA, not again; the CA's own files
 * (its certificate, its anchor twin) and everything retired are not dependants.
 */
export async function caDependants(layout: PkiLayout, ca: RotatedCa, now: Date): Promise<Dependant[]> {
  const publicKey = ca.certificate.publicKey;
  const revoked = new Set((await readRevocations(layout)).revocations.map((revocation) => revocation.serial));
  const retired = `ca${sep}retired${sep}`;
  const own = new Set(
    [ca.certPath, ca.certPath.replace(/\.crt$/, ".anchor.crt")].map((path) => relative(layout.root, path)),
  );
  const inCa = (path: string) => path.startsWith(`ca${sep}`);
  const found = await certificatesSignedBy(layout, publicKey);
  // CAs first, so that a copy of one in a leaf's fullchain file is seen as that CA.
  const ordered = [...found.filter((item) => inCa(item.path)), ...found.filter((item) => !inCa(item.path))];
  const seen = new Set<string>([ca.certificate.fingerprint256]);
  const dependants: Dependant[] = [];
  for (const item of ordered) {
    if (seen.has(item.fingerprint256)) continue;
    seen.add(item.fingerprint256);
    if (own.has(item.path) || item.path.startsWith(retired)) continue;
    if (item.notAfter.getTime() <= now.getTime() || revoked.has(item.serial)) continue;
    dependants.push({
      path: item.path,
      subject: item.subjectText,
      serial: item.serial,
      notAfter: item.notAfter.toISOString(),
    });
  }
  return dependants.sort((a, b) => a.path.localeCompare(b.path));
}

/** The retired CA and where its files went. */
export interface RetireCaResult {
  /** "ca" for a root, else the intermediate's name. */
  readonly issuerName: string;
  readonly subject: string;
  readonly keyId: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** `crl/combined.crl` rewritten without the retired CA's CRL; undefined when there was none. */
  readonly combinedCrlPath?: string;
}

const LISTED_DEPENDANTS = 10;

/**
 * Retires a rotated CA: refused (exit 1, naming what depends on it) while a valid certificate it
 * signed is on disk and not revoked; otherwise its files move to `ca/retired/`.
 */
export async function retireCa(layout: PkiLayout, selector: string, now: Date = new Date()): Promise<RetireCaResult> {
  checkPkiDirectory(layout.root);
  await finishRotation(layout);
  const ca = await findRotatedCa(layout, selector);
  const dependants = await caDependants(layout, ca, now);
  if (dependants.length > 0) {
    const listed = dependants
      .slice(0, LISTED_DEPENDANTS)
      .map((item) => `${item.path} (serial ${item.serial}, until ${item.notAfter})`)
      .join("; ");
    const more = dependants.length > LISTED_DEPENDANTS ? `; and ${dependants.length - LISTED_DEPENDANTS} more` : "";
    throw new PgwardenError(
      "ca-in-use",
      `${label(ca)} still signs ${dependants.length} valid certificate${dependants.length === 1 ? "" : "s"}: ${listed}${more}. ` +
        (dependants.some((item) => item.path.startsWith(`ca${sep}`))
          ? "Rotate the intermediates it signed (pgwarden ca rotate --intermediate NAME) and retire the old ones; renew "
          : "Renew ") +
        "the certificates under the new CA (pgwarden cert renew --all), or revoke them, then retire it",
      ExitCode.checkFailed,
    );
  }
  const target = rotatedPaths(retiredDir(layout), ca.issuerName, ca.keyId);
  const anchor = (path: string) => path.replace(/\.crt$/, ".anchor.crt");
  await ensureDirectory(retiredDir(layout), PRIVATE_DIR_MODE);
  // Linked first, then unlinked from rotated/: killed in between, the CA is in both and still trusted; retire again
  // finishes. The certificate goes last from rotated/ (it is what lists the CA); an intermediate's anchor twin moves too.
  const moves = [
    [ca.keyPath, target.keyPath],
    [anchor(ca.certPath), anchor(target.certPath)],
    [ca.certPath, target.certPath],
  ] as const;
  for (const [from, to] of moves) {
    try {
      linkSync(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST" && !(code === "ENOENT" && from !== ca.certPath)) throw error;
    }
  }
  await syncDirectory(retiredDir(layout));
  for (const [path] of moves) {
    try {
      unlinkSync(path);
    } catch {
      // Gone already.
    }
  }
  await syncDirectory(rotatedDir(layout));
  // Servers given the combined CRL no longer need the retired CA's; its own CRL file stays in crl/.
  const combined = await rewriteCombinedCrl(layout);
  await writeTrustedRoots(layout);
  return {
    issuerName: ca.issuerName,
    subject: ca.certificate.subject.split("\n").join(", "),
    keyId: ca.keyId,
    ...target,
    ...(combined === undefined ? {} : { combinedCrlPath: combined }),
  };
}
