/*
 * Worker-thread entry for {@link issueBatch}: generates keys and signs certificates,
 * the CPU-bound part of issuing a fleet, while the main thread writes files. It loads
 * only the lean signer (no ASN.1 engine, no file or certificate-records code), so it starts fast.
 */
import { createPrivateKey } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";

import type { KeyType } from "../keys/key-type.js";
import { type LeafRequest, LeafSigner, type LeafTemplate, type SignedLeaf } from "./leaf-signer.js";

export interface WorkerSetup {
  readonly template: LeafTemplate;
  /** The CA key as unencrypted PKCS#8 DER; it stays in this process's memory. */
  readonly issuerKeyDer: Uint8Array;
  readonly now: Date;
}

export interface WorkerJob {
  readonly items: readonly { readonly index: number; readonly request: LeafRequest; readonly keyType: KeyType }[];
}

export interface WorkerReply {
  readonly results?: readonly { readonly index: number; readonly leaf: SignedLeaf; readonly keyPem: string }[];
  readonly error?: string;
}

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const signer = new LeafSigner(
    setup.template,
    createPrivateKey({ key: Buffer.from(setup.issuerKeyDer), format: "der", type: "pkcs8" }),
  );
  port.on("message", (job: WorkerJob) => {
    try {
      const results = job.items.map((item) => ({
        index: item.index,
        ...signer.signNewKey(item.request, item.keyType, setup.now),
      }));
      port.postMessage({ results } satisfies WorkerReply);
    } catch (error) {
      port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
    }
  });
}
