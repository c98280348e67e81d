import { Worker } from "node:worker_threads";

import type { WorkerJob, WorkerReply, WorkerSetup } from "./issue-worker.js";

/** One leaf to sign, as the worker takes it. */
type SignJob = WorkerJob["items"][number];
/** One signed leaf and its new key, as the worker returns it. */
export type SignedItem = NonNullable<WorkerReply["results"]>[number];

/**
 * One worker thread of `issue-worker.ts`, seen from the main thread: one job at a time.
 * It listens for the thread's errors and exit from the moment the thread starts, so a
 * thread that fails while loading (no memory, a thread limit, a key it cannot read) fails
 * the next job, or the one waiting, instead of surfacing as an uncaught exception.
 */
export class SigningWorker {
  readonly #worker: Worker;
  #failure: Error | undefined;
  #waiting: { resolve: (items: readonly SignedItem[]) => void; reject: (error: Error) => void } | undefined;
  /** Settles when the thread has ended, for whatever reason. */
  readonly exited: Promise<void>;

  constructor(setup: WorkerSetup) {
    this.#worker = new Worker(new URL("./issue-worker.js", import.meta.url), { workerData: setup });
    this.#worker.on("message", (reply: WorkerReply) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (reply.error !== undefined || !reply.results)
        waiting?.reject(new Error(`certificate worker failed: ${reply.error ?? "no results"}`));
      else waiting?.resolve(reply.results);
    });
    this.#worker.on("error", (error: Error) =>
      this.#fail(new Error(`certificate worker failed: ${error.message}`, { cause: error })),
    );
    this.exited = new Promise((resolve) =>
      this.#worker.once("exit", (code: number) => {
        this.#fail(new Error(`certificate worker stopped (exit code ${code})`));
        resolve();
      }),
    );
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(this.#failure);
  }

  sign(items: readonly SignJob[]): Promise<readonly SignedItem[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#waiting) return Promise.reject(new Error("certificate worker is busy: one job at a time"));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#worker.postMessage({ items } satisfies WorkerJob);
    });
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }
}
