import { Worker } from "node:worker_threads";

/**
 * Runs the module at `script` on `threads` worker threads at once, each given `data`, and
 * settles when every one has posted its "done" message: the raw limits the benches compare
 * pgwarden with are measured this way, on as many threads as pgwarden uses.
 */
export async function runOnWorkers(script: string, threads: number, data: unknown): Promise<void> {
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(script, { workerData: data });
          worker.once("message", () => resolve());
          worker.once("error", reject);
        }),
    ),
  );
}
