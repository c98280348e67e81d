import { X509Certificate } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";

import { usageError } from "../../core/errors.js";
import { ensureDirectory, PRIVATE_DIR_MODE, syncDirectory } from "../../core/fs/atomic-write.js";
import { mapBounded } from "../../core/fs/bounded.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { normalizeSerial } from "../encoding/serial.js";
import { keyPemMatches } from "../keys/key-match.js";
import { parseKeyType } from "../keys/key-type.js";
import type { PkiLayout } from "../pki-layout.js";
import { type CertificateRecord, readRecords } from "../records/certificate-records.js";
import {
  type IssueResult,
  issuerFields,
  leafWarnings,
  persistLeaves,
  type PreparedLeaf,
  prepareForWrites,
  type RecordOverrides,
} from "./issue.js";
import type { WorkerSetup } from "./issue-worker.js";
import { LeafSigner, type SignedLeaf } from "./leaf-signer.js";
import { leafTemplate } from "./leaf-template.js";
import { type SignedItem, SigningWorker } from "./signing-worker.js";
import { checkValidityDays } from "./validity.js";

/** Leaves handed to a worker at a time: large enough to amortise messaging, small enough to keep both sides busy. */
export const BATCH_CHUNK_SIZE = 32;
/** Chunks being written at once: enough to keep the disk's fsync queue full. */
export const MAX_CHUNKS_IN_FLIGHT = 8;
/** Below this many leaves, worker start-up costs more than it saves. */
export const MIN_LEAVES_FOR_WORKERS = 64;
/** The most signing threads a caller may ask for. */
export const MAX_WORKERS = 64;

export interface BatchOptions {
  readonly force?: boolean;
  readonly now?: Date;
  /** Worker threads; default one per core, 0 to sign on the main thread. */
  readonly workers?: number;
  /** Called after each certificate is on disk. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Record fields of each leaf beyond a first issue's (`cert renew` links each new record to the one it renews). */
  readonly recordFields?: (leaf: PreparedLeaf) => RecordOverrides;
}

type ChunkSigner = (items: { index: number; prepared: PreparedLeaf }[]) => Promise<readonly SignedItem[]>;

/** What a batch did: the leaves it issued, and those it found already issued and intact. */
export interface BatchResult {
  readonly issued: IssueResult[];
  /** Key and certificate present, matching, and recorded with this profile: left as they are (not with `force`). */
  readonly skipped: IssueResult[];
}

/**
 * Issues many leaves of one profile (a fleet's users or hosts). Every request is checked
 * before the first key is made; keys and signatures are made on worker threads while
 * this thread writes files, so the disk's fsyncs overlap with the CPU work. A batch that
 * was killed is finished by running it again: the pairs it wrote are skipped.
 */
export async function issueBatch(
  layout: PkiLayout,
  ca: CertificateAuthority,
  leaves: readonly PreparedLeaf[],
  options: BatchOptions = {},
): Promise<BatchResult> {
  const { workers: asked } = options;
  if (asked !== undefined && !(Number.isInteger(asked) && asked >= 0 && asked <= MAX_WORKERS))
    throw usageError("bad-workers", `workers must be a whole number from 0 to ${MAX_WORKERS}, not ${String(asked)}`);
  const [first] = leaves;
  if (!first) return { issued: [], skipped: [] };
  const now = options.now ?? new Date();
  const force = options.force ?? false;
  const seen = new Set<string>();
  for (const leaf of leaves) {
    // A PreparedLeaf may be built by hand, not by prepareLeaf: days and key type are checked again before any key is made.
    checkValidityDays(leaf.request.days);
    parseKeyType(leaf.keyType);
    if (leaf.profile !== first.profile) throw usageError("mixed-profiles", "a batch issues one profile at a time");
    if (seen.has(leaf.paths.cert))
      throw usageError(
        "duplicate-cn",
        `"${leaf.request.commonName}" is listed twice: each CN gets one key and certificate`,
      );
    seen.add(leaf.paths.cert);
  }
  await prepareForWrites(layout);
  const dirs = [...new Set(leaves.map((leaf) => leaf.paths.dir))];
  const { toIssue, skipped } = force ? { toIssue: leaves, skipped: [] } : await sortExisting(layout, dirs, leaves);
  if (toIssue.length === 0) return { issued: [], skipped };
  const template = leafTemplate(ca, first.profile);
  // Never more threads than chunks to sign: a thread costs tens of megabytes and milliseconds to start.
  const workerCount =
    toIssue.length < MIN_LEAVES_FOR_WORKERS
      ? 0
      : Math.min(asked ?? availableParallelism(), Math.ceil(toIssue.length / BATCH_CHUNK_SIZE));
  // Workers start first: a thread takes tens of milliseconds to load, time this thread
  // spends preparing the directories.
  const workers: SigningWorker[] = [];
  try {
    if (workerCount > 0) {
      const setup: WorkerSetup = { template, issuerKeyDer: ca.key.export({ type: "pkcs8", format: "der" }), now };
      for (let count = 0; count < workerCount; count++) workers.push(new SigningWorker(setup));
    }
    await Promise.all(dirs.map((dir) => ensureDirectory(dir, PRIVATE_DIR_MODE)));
    const lanes =
      workers.length === 0 ? [thisThreadLane(new LeafSigner(template, ca.key), now)] : workers.map(workerLane);
    const issued = await signAndWrite(layout, toIssue, lanes, {
      issuer: template.issuerSubject,
      fields: issuerFields(ca),
      force,
      now,
      warningsFor: (leaf) => leafWarnings(leaf, first.profile, ca),
      onProgress: options.onProgress,
      recordFields: options.recordFields,
    });
    await Promise.all([...dirs, layout.recordsDir].map(syncDirectory));
    return { issued, skipped };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Signing on this thread, for batches too small to be worth starting workers. */
function thisThreadLane(signer: LeafSigner, now: Date): ChunkSigner {
  return (items) =>
    Promise.resolve(
      items.map(({ index, prepared }) => ({ index, ...signer.signNewKey(prepared.request, prepared.keyType, now) })),
    );
}

function workerLane(worker: SigningWorker): ChunkSigner {
  return (items) =>
    worker.sign(items.map(({ index, prepared }) => ({ index, request: prepared.request, keyType: prepared.keyType })));
}

interface WriteOptions {
  readonly issuer: string;
  readonly fields: ReturnType<typeof issuerFields>;
  readonly force: boolean;
  readonly now: Date;
  readonly warningsFor: (leaf: SignedLeaf) => string[];
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  readonly recordFields?: ((leaf: PreparedLeaf) => RecordOverrides) | undefined;
}

/**
 * Signing and writing overlap: each lane (a worker, or this thread) signs chunk after
 * chunk, and a signed chunk is written while the lanes sign the next ones, with several
 * chunks' fsyncs in flight at once, because the disk, not the CPU, waits.
 */
async function signAndWrite(
  layout: PkiLayout,
  leaves: readonly PreparedLeaf[],
  lanes: readonly ChunkSigner[],
  options: WriteOptions,
): Promise<IssueResult[]> {
  const results = new Array<IssueResult>(leaves.length);
  let done = 0;
  const persist = async (signed: readonly SignedItem[]) => {
    const items = signed.map(({ index, leaf, keyPem }) => {
      const prepared = leaves[index] as PreparedLeaf;
      return { leaf, keyPem, prepared, record: options.recordFields?.(prepared) };
    });
    const written = await persistLeaves(layout, items, {
      origin: "issued",
      issuer: options.issuer,
      force: options.force,
      now: options.now,
      ...options.fields,
    });
    written.forEach((result, position) => {
      const { index, leaf } = signed[position] as SignedItem;
      results[index] = { ...result, warnings: options.warningsFor(leaf) };
    });
    done += written.length;
    options.onProgress?.(done, leaves.length);
  };

  const chunks: { index: number; prepared: PreparedLeaf }[][] = [];
  for (let start = 0; start < leaves.length; start += BATCH_CHUNK_SIZE) {
    chunks.push(
      leaves.slice(start, start + BATCH_CHUNK_SIZE).map((prepared, offset) => ({ index: start + offset, prepared })),
    );
  }
  const next = () => chunks.shift();

  const inflight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  // A lane that fails records the failure and stops; the others stop at their next chunk,
  // and the writes already in flight finish before the failure is thrown.
  const runLane = async (sign: ChunkSigner) => {
    try {
      for (let chunk = next(); chunk && !failure; chunk = next()) {
        const signed = await sign(chunk);
        const writing: Promise<void> = persist(signed).then(
          () => void inflight.delete(writing),
          (error: unknown) => {
            inflight.delete(writing);
            failure ??= { error };
          },
        );
        inflight.add(writing);
        while (inflight.size >= MAX_CHUNKS_IN_FLIGHT) await Promise.race(inflight);
      }
    } catch (error) {
      failure ??= { error };
    }
  };
  await Promise.all(lanes.map(runLane));
  await Promise.all(inflight);
  if (failure) throw failure.error;
  return results;
}

/**
 * Splits a batch into the leaves still to issue and those already issued and intact (a
 * re-run after a kill). Any other file at a leaf's name (a lone key, a pair that does not
 * match, one pgwarden has no record of) refuses the whole batch before anything is made.
 * One directory listing tells which names are free, so a fresh fleet reads no file.
 */
async function sortExisting(
  layout: PkiLayout,
  dirs: readonly string[],
  leaves: readonly PreparedLeaf[],
): Promise<{ toIssue: PreparedLeaf[]; skipped: IssueResult[] }> {
  const existing = new Set<string>();
  for (const dir of dirs)
    for (const name of await readdir(dir).catch(() => [] as string[])) existing.add(join(dir, name));
  const taken = leaves.filter((leaf) => existing.has(leaf.paths.key) || existing.has(leaf.paths.cert));
  if (taken.length === 0) return { toIssue: [...leaves], skipped: [] };
  const { records } = await readRecords(layout);
  const recorded = new Map<string, CertificateRecord>();
  for (const record of records) recorded.set(`${record.certPath}\n${normalizeSerial(record.serial)}`, record);
  const intact = await mapBounded(taken, (leaf) => intactRecord(layout, leaf, recorded));
  const refused = taken.findIndex((_, index) => intact[index] === undefined);
  if (refused >= 0) {
    const leaf = taken[refused] as PreparedLeaf;
    const path = existing.has(leaf.paths.cert) ? leaf.paths.cert : leaf.paths.key;
    throw usageError(
      "already-exists",
      `${path} already exists and is not a matching, recorded pair of this profile: pass --force to replace it, or choose another --cn or --group`,
    );
  }
  const skippedPaths = new Set(taken.map((leaf) => leaf.paths.cert));
  return {
    toIssue: leaves.filter((leaf) => !skippedPaths.has(leaf.paths.cert)),
    skipped: taken.map((leaf, index) => ({
      record: intact[index] as CertificateRecord,
      keyPath: leaf.paths.key,
      certPath: leaf.paths.cert,
      warnings: [],
    })),
  };
}

/** The record of a leaf's pair on disk when key and certificate are both there, match, and were recorded with its profile. */
async function intactRecord(
  layout: PkiLayout,
  leaf: PreparedLeaf,
  recorded: ReadonlyMap<string, CertificateRecord>,
): Promise<CertificateRecord | undefined> {
  try {
    const [certPem, keyPem] = await Promise.all([readFile(leaf.paths.cert, "utf8"), readFile(leaf.paths.key, "utf8")]);
    const certificate = new X509Certificate(certPem);
    const record = recorded.get(
      `${relative(layout.root, leaf.paths.cert)}\n${normalizeSerial(certificate.serialNumber)}`,
    );
    if (!record || record.profile !== leaf.profile.name || record.keyPath !== relative(layout.root, leaf.paths.key))
      return undefined;
    return keyPemMatches(keyPem, certificate) === "match" ? record : undefined;
  } catch {
    // Absent, unreadable or not PEM: not an intact pair.
    return undefined;
  }
}
