import { readdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { usageError } from "../errors.js";
import { PRIVATE_DIR_MODE, ensureDirectory, removeStaleTempFiles, syncDirectory } from "../fs/atomic-write.js";
import type { CertificateAuthority } from "./certificate-authority.js";
import { assertFreePaths, leafWarnings, persistLeaves, type IssueResult, type PreparedLeaf } from "./issue.js";
import type { WorkerSetup } from "./issue-worker.js";
import { LeafSigner, type SignedLeaf } from "./leaf-signer.js";
import { leafTemplate } from "./leaf-template.js";
import type { PkiLayout } from "./pki-layout.js";
import { SigningWorker, type SignedItem } from "./signing-worker.js";

/** Leaves handed to a worker at a time: large enough to amortise messaging, small enough to keep both sides busy. */
export const BATCH_CHUNK_SIZE = 32;
/** Chunks being written at once: enough to keep the disk's fsync queue full. */
export const MAX_CHUNKS_IN_FLIGHT = 8;
/** Below this many leaves, worker start-up costs more than it saves. */
export const MIN_LEAVES_FOR_WORKERS = 64;

export interface BatchOptions {
  readonly force?: boolean;
  readonly now?: Date;
  /** Worker threads; default one per core, 0 to sign on the main thread. */
  readonly workers?: number;
  /** Called after each certificate is on disk. */
  readonly onProgress?: (done: number, total: number) => void;
}

type ChunkSigner = (items: { index: number; prepared: PreparedLeaf }[]) => Promise<readonly SignedItem[]>;

/**
 * Issues many leaves of one profile (a fleet's users or hosts). Every request is checked
 * before the first key is made; keys and signatures are made on worker threads while
 * this thread writes files, so the disk's fsyncs overlap with the CPU work.
 */
export async function issueBatch(layout: PkiLayout, ca: CertificateAuthority, leaves: readonly PreparedLeaf[], options: BatchOptions = {}): Promise<IssueResult[]> {
  const [first] = leaves;
  if (!first) return [];
  const now = options.now ?? new Date();
  const force = options.force ?? false;
  const seen = new Set<string>();
  for (const leaf of leaves) {
    if (leaf.profile !== first.profile) throw usageError("mixed-profiles", "a batch issues one profile at a time");
    if (seen.has(leaf.paths.cert)) throw usageError("duplicate-cn", `"${leaf.request.commonName}" is listed twice: each CN gets one key and certificate`);
    seen.add(leaf.paths.cert);
  }
  const template = leafTemplate(ca, first.profile);
  const workerCount = leaves.length < MIN_LEAVES_FOR_WORKERS ? 0 : (options.workers ?? availableParallelism());
  // Workers start first: a thread takes tens of milliseconds to load, time this thread
  // spends checking and preparing the directories.
  const workers: SigningWorker[] = [];
  try {
    if (workerCount > 0) {
      const setup: WorkerSetup = { template, issuerKeyDer: ca.key.export({ type: "pkcs8", format: "der" }), now };
      for (let count = 0; count < workerCount; count++) workers.push(new SigningWorker(setup));
    }
    const dirs = [...new Set(leaves.map((leaf) => leaf.paths.dir))];
    if (!force) await assertFreeInDirectories(dirs, leaves);
    await Promise.all(dirs.map((dir) => ensureDirectory(dir, PRIVATE_DIR_MODE)));
    await Promise.all([...dirs, layout.recordsDir].map(removeStaleTempFiles));
    const lanes = workers.length === 0 ? [thisThreadLane(new LeafSigner(template, ca.key), now)] : workers.map(workerLane);
    const results = await signAndWrite(layout, leaves, lanes, {
      issuer: template.issuerSubject,
      force,
      now,
      warningsFor: (leaf) => leafWarnings(leaf, first.profile, ca),
      onProgress: options.onProgress,
    });
    await Promise.all([...dirs, layout.recordsDir].map(syncDirectory));
    return results;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Signing on this thread, for batches too small to be worth starting workers. */
function thisThreadLane(signer: LeafSigner, now: Date): ChunkSigner {
  return async (items) => items.map(({ index, prepared }) => ({ index, ...signer.signNewKey(prepared.request, prepared.keyType, now) }));
}

function workerLane(worker: SigningWorker): ChunkSigner {
  return (items) => worker.sign(items.map(({ index, prepared }) => ({ index, request: prepared.request, keyType: prepared.keyType })));
}

interface WriteOptions {
  readonly issuer: string;
  readonly force: boolean;
  readonly now: Date;
  readonly warningsFor: (leaf: SignedLeaf) => string[];
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Signing and writing overlap: each lane (a worker, or this thread) signs chunk after
 * chunk, and a signed chunk is written while the lanes sign the next ones, with several
 * chunks' fsyncs in flight at once, because the disk, not the CPU, waits.
 */
async function signAndWrite(layout: PkiLayout, leaves: readonly PreparedLeaf[], lanes: readonly ChunkSigner[], options: WriteOptions): Promise<IssueResult[]> {
  const results: IssueResult[] = new Array(leaves.length);
  let done = 0;
  const persist = async (signed: readonly SignedItem[]) => {
    const items = signed.map(({ index, leaf, keyPem }) => ({ leaf, keyPem, prepared: leaves[index] as PreparedLeaf }));
    const written = await persistLeaves(layout, items, { origin: "issued", issuer: options.issuer, force: options.force, now: options.now });
    written.forEach((result, position) => {
      const { index, leaf } = signed[position] as SignedItem;
      results[index] = { ...result, warnings: options.warningsFor(leaf) };
    });
    done += written.length;
    options.onProgress?.(done, leaves.length);
  };

  const chunks: { index: number; prepared: PreparedLeaf }[][] = [];
  for (let start = 0; start < leaves.length; start += BATCH_CHUNK_SIZE) {
    chunks.push(leaves.slice(start, start + BATCH_CHUNK_SIZE).map((prepared, offset) => ({ index: start + offset, prepared })));
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

/** {@link assertFreePaths} for a fleet: one directory listing instead of a stat per file. */
async function assertFreeInDirectories(dirs: readonly string[], leaves: readonly PreparedLeaf[]): Promise<void> {
  const existing = new Set<string>();
  for (const dir of dirs) for (const name of await readdir(dir).catch(() => [] as string[])) existing.add(join(dir, name));
  const taken = leaves.flatMap((leaf) => [leaf.paths.key, leaf.paths.cert]).find((path) => existing.has(path));
  if (taken) await assertFreePaths([taken], false);
}
