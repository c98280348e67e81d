/**
 * Worker-thread entry for {@link issueBatch}: generates keys and signs certificates,
 * the CPU-bound part of issuing a fleet, while the main thread writes files.
 */
import { createPrivateKey } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { signNewLeaf } from "./issue.js";
import type { KeyType } from "./key-type.js";
import { LeafSigner, type IssuerData, type LeafRequest, type SignedLeaf } from "./leaf-signer.js";
import { PROFILES, type ProfileName } from "./profiles.js";

export interface WorkerSetup {
  readonly issuer: IssuerData;
  /** The CA key as unencrypted PKCS#8 DER; it stays in this process's memory. */
  readonly issuerKeyDer: Uint8Array;
  readonly profile: ProfileName;
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
  const signer = new LeafSigner(setup.issuer, createPrivateKey({ key: Buffer.from(setup.issuerKeyDer), format: "der", type: "pkcs8" }), PROFILES[setup.profile]);
  port.on("message", (job: WorkerJob) => {
    try {
      const results = job.items.map((item) => ({ index: item.index, ...signNewLeaf(signer, { request: item.request, keyType: item.keyType }, setup.now) }));
      port.postMessage({ results } satisfies WorkerReply);
    } catch (error) {
      port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
    }
  });
}
