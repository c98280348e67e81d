/* Worker-thread entry for {@link crackScram}: searches the chunks it is sent, replying once per chunk. */
import { parentPort, workerData } from "node:worker_threads";

import { ScramSearcher, type ScramSearchSpace } from "./scram-search.js";
import type { Chunk } from "./work-queue.js";

if (parentPort) {
  const port = parentPort;
  const searcher = new ScramSearcher(workerData as ScramSearchSpace);
  port.on("message", (chunk: Chunk) => port.postMessage(searcher.search(chunk)));
}
