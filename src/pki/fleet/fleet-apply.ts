import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFile, readlink, stat, symlink, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";

import { usageError } from "../../core/errors.js";
import {
  ensureDirectory,
  FileExistsError,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  syncDirectory,
  writeFileAtomic,
} from "../../core/fs/atomic-write.js";
import { backupPath } from "../../core/fs/backup.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { formatName } from "../inspect/certificate-info.js";
import { issuerFields, leafWarnings, type PersistLeaf, persistLeaves } from "../issuing/issue.js";
import { leafSigner } from "../issuing/leaf-template.js";
import { checkValidityDays } from "../issuing/validity.js";
import { generateEncodedKeyPair } from "../keys/key-encoding.js";
import type { KeyType } from "../keys/key-type.js";
import type { PkiLayout } from "../pki-layout.js";
import {
  type ClusterKey,
  clusterKeyLinkError,
  type ComparedCertificate,
  type FleetComparison,
} from "./fleet-compare.js";

export interface FleetApplyOptions {
  /** Replace certificates pgwarden did not make (each kept as .bak first). Default false. */
  readonly force: boolean;
  readonly days: number;
  readonly now: Date;
}

/** One certificate after the run: what was done, and where the replaced files were kept. */
export interface FleetOutcome {
  readonly compared: ComparedCertificate;
  readonly serial?: string;
  readonly backups: readonly string[];
}

export interface FleetApplied {
  readonly outcomes: readonly FleetOutcome[];
  /** Cluster keys made by this run (relative paths). */
  readonly createdKeys: readonly string[];
  readonly warnings: readonly string[];
}

/** The refusal to replace a certificate pgwarden did not make, before anything is written. */
export function foreignFleetError(layout: PkiLayout, item: ComparedCertificate): Error {
  return usageError(
    "foreign-certificate",
    `${join(layout.root, item.planned.certPath)} ${item.reason === item.foreign ? "" : `is not the planned certificate (${item.reason}) and `}` +
      `was not made by pgwarden (${item.foreign ?? ""}), so it is not replaced: pass --force to replace it (the old files are kept as .bak)`,
  );
}

/** Copies the files a re-issue replaces beside themselves (`.<time>.bak`); a key's copy is 0600. */
async function backUp(layout: PkiLayout, item: ComparedCertificate, now: Date): Promise<string[]> {
  const paths = item.planned.sharedKey ? [item.planned.certPath] : [item.planned.certPath, item.planned.keyPath];
  const kept: string[] = [];
  for (const relativePath of paths) {
    const path = join(layout.root, relativePath);
    const old = await readFile(path).catch(() => undefined);
    if (old === undefined) continue;
    const mode = relativePath === item.planned.keyPath ? PRIVATE_FILE_MODE : (await stat(path)).mode & 0o777;
    const backup = backupPath(path, now);
    await writeFileAtomic(backup, old, { mode, exclusive: true });
    kept.push(backup);
  }
  return kept;
}

/** Keeps a symbolic link as a link beside itself (`.<time>.bak`, its target never read), then removes it (--force). */
async function replaceLink(path: string, now: Date): Promise<string> {
  const backup = backupPath(path, now);
  await symlink(await readlink(path), backup);
  await unlink(path);
  return backup;
}

/** Writes a new cluster key (0600 from birth, never over another file). Alone it is a complete state: the next run signs for it. */
async function createClusterKey(layout: PkiLayout, key: ClusterKey): Promise<string> {
  const path = join(layout.root, key.keyPath);
  await ensureDirectory(dirname(path), PRIVATE_DIR_MODE);
  const { privateKeyPem } = generateEncodedKeyPair(key.keyType as KeyType);
  try {
    await writeFileAtomic(path, privateKeyPem, { mode: PRIVATE_FILE_MODE, exclusive: true });
  } catch (error) {
    if (error instanceof FileExistsError) {
      throw usageError(
        "already-exists",
        `${path} appeared while the fleet was being issued (another pgwarden?): run again`,
      );
    }
    throw error;
  }
  return privateKeyPem;
}

/**
 * Issues what {@link compareFleet} found missing or wrong, and nothing else: new cluster keys
 * first (a key alone is a state the next run completes), then every certificate through the
 * pair journal (`pair-journal.ts`), so a kill leaves each certificate, with its own key, old or
 * new. Replaced files are copied to `.bak` first. A certificate pgwarden did not make is
 * refused, before anything is written, unless `force`. Kept certificates are not touched.
 */
export async function applyFleet(
  layout: PkiLayout,
  ca: CertificateAuthority,
  comparison: FleetComparison,
  options: FleetApplyOptions,
): Promise<FleetApplied> {
  checkValidityDays(options.days);
  const { certificates } = comparison;
  const foreign = certificates.find((item) => item.action === "reissue" && item.foreign !== undefined);
  if (foreign && !options.force) throw foreignFleetError(layout, foreign);
  const linked = comparison.clusterKeys.find((key) => key.link !== undefined);
  if (linked && !options.force) throw clusterKeyLinkError(layout, linked);
  const todo = certificates.filter((item) => item.action !== "keep");
  if (todo.length === 0)
    return { outcomes: certificates.map((compared) => ({ compared, backups: [] })), createdKeys: [], warnings: [] };

  const keyPems = new Map<string, string>();
  const createdKeys: string[] = [];
  const linkBackups: { path: string; backup: string }[] = [];
  for (const key of comparison.clusterKeys) {
    if (key.action === "keep" && key.pem !== undefined) keyPems.set(key.keyPath, key.pem);
    else if (todo.some((item) => item.planned.keyPath === key.keyPath)) {
      const path = join(layout.root, key.keyPath);
      if (key.link) linkBackups.push({ path, backup: await replaceLink(path, options.now) });
      keyPems.set(key.keyPath, await createClusterKey(layout, key));
      createdKeys.push(key.keyPath);
    }
  }
  const backups = new Map<ComparedCertificate, string[]>();
  for (const item of todo.filter((entry) => entry.action === "reissue"))
    backups.set(item, await backUp(layout, item, options.now));

  const warnings = new Set<string>(
    linkBackups.map(
      ({ path, backup }) => `--force: replaced the symbolic link ${path} with a new key (the link kept as ${backup})`,
    ),
  );
  const items: { item: ComparedCertificate; leaf: PersistLeaf }[] = [];
  for (const item of todo) {
    const { planned } = item;
    const signer = leafSigner(ca, planned.profile);
    const request = { commonName: planned.commonName, subjectAltNames: planned.subjectAltNames, days: options.days };
    const sharedPem = planned.sharedKey ? keyPems.get(planned.keyPath) : undefined;
    const spki = (pem: string) => createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "der" });
    const signed =
      sharedPem === undefined
        ? signer.signNewKey(request, item.keyType as KeyType, options.now)
        : { leaf: signer.sign(request, { spki: spki(sharedPem), keyType: item.keyType }, options.now) };
    leafWarnings(signed.leaf, planned.profile, ca).forEach((warning) => warnings.add(warning));
    const paths = {
      dir: join(layout.root, planned.group),
      key: join(layout.root, planned.keyPath),
      cert: join(layout.root, planned.certPath),
    };
    await ensureDirectory(paths.dir, PRIVATE_DIR_MODE);
    const prepared = {
      request,
      profile: planned.profile,
      keyType: item.keyType as KeyType,
      group: planned.group,
      paths,
    };
    items.push({
      item,
      leaf: { leaf: signed.leaf, prepared, ...("keyPem" in signed ? { keyPem: signed.keyPem } : {}) },
    });
  }
  const issuer = formatName(ca.certificate.subject);
  const serials = new Map<ComparedCertificate, string>();
  // New pairs are linked (never over a file that appeared meanwhile); replacements renamed over the backed-up old ones.
  for (const replace of [false, true]) {
    const batch = items.filter(({ item }) => (item.action === "reissue") === replace);
    if (batch.length === 0) continue;
    const results = await persistLeaves(
      layout,
      batch.map(({ leaf }) => leaf),
      { origin: "issued", issuer, force: replace, now: options.now, ...issuerFields(ca) },
    );
    batch.forEach(({ item }, index) => {
      const serial = results[index]?.record.serial;
      if (serial !== undefined) serials.set(item, serial);
    });
  }
  await Promise.all(
    [...new Set(items.map(({ leaf }) => leaf.prepared.paths.dir)), layout.recordsDir].map(syncDirectory),
  );
  return {
    outcomes: certificates.map((compared) => ({
      compared,
      serial: serials.get(compared),
      backups: backups.get(compared) ?? [],
    })),
    createdKeys,
    warnings: [...warnings],
  };
}
