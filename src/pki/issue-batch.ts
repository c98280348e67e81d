import { readdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { usageError } from "../errors.js";
import { PRIVATE_DIR_MODE, ensureDirectory, removeStaleTempFiles, syncDirectory } from "../fs/atomic-write.js";
import type { CertificateAuthority } from "./certificate-authority.js";
import { assertFreePaths, leafWarnings, persistLeaves, signNewLeaf, type IssueResult, type PreparedLeaf } from "./issue.js";
import type { WorkerJob, WorkerReply, WorkerSetup } from "./issue-worker.js";
import { LeafSigner, issuerData, type SignedLeaf } from "./leaf-signer.js";
import type { PkiLayout } from "./pki-layout.js";

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

type Signed = { index: number; leaf: SignedLeaf; keyPem: string };
type ChunkSigner = (items: { index: number; prepared: PreparedLeaf }[]) => Promise<Signed[]>;

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
  const dirs = [...new Set(leaves.map((leaf) => leaf.paths.dir))];
  if (!force) await assertFreeInDirectories(dirs, leaves);
  await Promise.all(dirs.map((dir) => ensureDirectory(dir, PRIVATE_DIR_MODE)));
  await Promise.all([...dirs, layout.recordsDir].map(removeStaleTempFiles));

  const issuer = issuerData(ca);
  const workerCount = leaves.length < MIN_LEAVES_FOR_WORKERS ? 0 : (options.workers ?? availableParallelism());
  const results: IssueResult[] = new Array(leaves.length);
  let done = 0;
  const persist = async (signed: Signed[]) => {
    const items = signed.map(({ index, leaf, keyPem }) => ({ leaf, keyPem, prepared: leaves[index] as PreparedLeaf }));
    const written = await persistLeaves(layout, items, { origin: "issued", issuer: issuer.subject, force, now });
    written.forEach((result, position) => {
      const { index, leaf } = signed[position] as Signed;
      results[index] = { ...result, warnings: leafWarnings(leaf, first.profile, ca) };
    });
    done += written.length;
    options.onProgress?.(done, leaves.length);
  };

  const chunks: { index: number; prepared: PreparedLeaf }[][] = [];
  for (let start = 0; start < leaves.length; start += BATCH_CHUNK_SIZE) {
    chunks.push(leaves.slice(start, start + BATCH_CHUNK_SIZE).map((prepared, offset) => ({ index: start + offset, prepared })));
  }
  const next = () => chunks.shift();

  // Signing and writing overlap: a chunk is written while the lanes sign the next ones,
  // with several chunks' fsyncs in flight at once, because the disk, not the CPU, waits.
  const inflight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const runLane = async (sign: ChunkSigner) => {
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
  };
  const finish = async () => {
    await Promise.all(inflight);
    if (failure) throw failure.error;
  };

  if (workerCount === 0) {
    const signer = new LeafSigner(issuer, ca.key, first.profile);
    await runLane(async (items) => items.map(({ index, prepared }) => ({ index, ...signNewLeaf(signer, prepared, now) })));
    await finish();
  } else {
    const setup: WorkerSetup = { issuer, issuerKeyDer: ca.key.export({ type: "pkcs8", format: "der" }), profile: first.profile.name, now };
    const workers = Array.from({ length: workerCount }, () => new Worker(new URL("./issue-worker.js", import.meta.url), { workerData: setup }));
    try {
      await Promise.all(workers.map((worker) => runLane((items) => signOnWorker(worker, items))));
      await finish();
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
  }
  await Promise.all([...dirs, layout.recordsDir].map(syncDirectory));
  return results;
}

/** {@link assertFreePaths} for a fleet: one directory listing instead of a stat per file. */
async function assertFreeInDirectories(dirs: readonly string[], leaves: readonly PreparedLeaf[]): Promise<void> {
  const existing = new Set<string>();
  for (const dir of dirs) for (const name of await readdir(dir).catch(() => [] as string[])) existing.add(join(dir, name));
  const taken = leaves.flatMap((leaf) => [leaf.paths.key, leaf.paths.cert]).find((path) => existing.has(path));
  if (taken) await assertFreePaths([taken], false);
}

function signOnWorker(worker: Worker, items: { index: number; prepared: PreparedLeaf }[]): Promise<Signed[]> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      worker.off("message", onMessage);
      reject(error);
    };
    const onMessage = (reply: WorkerReply) => {
      worker.off("error", onError);
      if (reply.error !== undefined || !reply.results) reject(new Error(`certificate worker failed: ${reply.error ?? "no results"}`));
      else resolve([...reply.results]);
    };
    worker.once("message", onMessage);
    worker.once("error", onError);
    const job: WorkerJob = { items: items.map(({ index, prepared }) => ({ index, request: prepared.request, keyType: prepared.keyType })) };
    worker.postMessage(job);
  });
}
