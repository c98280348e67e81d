import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";

import { loadInventory } from "../../config/load-inventory.js";
import { notFoundError, pkiError, usageError } from "../../core/errors.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { issuerNameFor } from "../authority/issuer-loader.js";
import { issuerFiles, ROOT_ISSUER } from "../authority/issuers.js";
import { prepareForWrites } from "../issuing/issue.js";
import type { KeyType } from "../keys/key-type.js";
import type { PkiLayout } from "../pki-layout.js";
import { applyFleet, type FleetApplied, foreignFleetError } from "./fleet-apply.js";
import { clusterKeyLinkError, compareFleet, type FleetComparison, type FleetIssuer } from "./fleet-compare.js";
import { planFleet } from "./fleet-plan.js";

/** What `cert issue --inventory` is asked to do. */
export interface FleetIssueRequest {
  /** The Pigsty inventory whose fleet needs certificates. */
  readonly inventory: string;
  /** Only this pg_cluster (or etcd_cluster). */
  readonly cluster?: string;
  /** Compare and say what would be done; write nothing (and never ask for the CA key). */
  readonly dryRun: boolean;
  /** Replace certificates pgwarden did not make, and cluster keys that are symbolic links. */
  readonly force: boolean;
  readonly days: number;
  /** The CA that signs (`--issuer`): default the "server" intermediate when there is one, else the root. */
  readonly issuer?: string | undefined;
  readonly keyType: KeyType;
}

export interface FleetIssueEnvironment {
  /** The PKI (a function: the inventory is read, and judged, before the PKI directory is). */
  readonly layout: () => PkiLayout;
  readonly now: Date;
  /** The CA that signs (the issuer of that name), loaded only when something may be written (not for a dry run). */
  readonly signingCa: (issuerName: string) => Promise<CertificateAuthority>;
  /** Inventory keys not read, issuing warnings, and what a dry run foresees the real run refusing. */
  readonly onWarning: (message: string) => void;
}

export interface FleetIssueResult {
  readonly dryRun: boolean;
  /** Every certificate the fleet needs, and what was (or would be) done with it. */
  readonly comparison: FleetComparison;
  /** What was issued (absent for a dry run). */
  readonly applied?: FleetApplied;
}

/** The issuer's certificate (and the root's, for an intermediate): a dry run compares without the CA key. */
async function readIssuer(layout: PkiLayout, issuerName: string): Promise<FleetIssuer> {
  const issuer = await readCertificate(issuerFiles(layout, issuerName).certPath);
  return issuerName === ROOT_ISSUER ? issuer : { ...issuer, rootDer: (await readCertificate(layout.caCert)).der };
}

async function readCertificate(caCert: string): Promise<{ certificate: X509Certificate; der: Buffer }> {
  const pem = await readFile(caCert).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT")
      throw notFoundError("ca-not-found", `no CA certificate at ${caCert}: run pgwarden ca init first`);
    throw error;
  });
  try {
    const certificate = new X509Certificate(pem);
    return { certificate, der: certificate.raw };
  } catch {
    throw pkiError("bad-ca", `${caCert} cannot be read as a PEM certificate`);
  }
}

/**
 * `cert issue --inventory`: plan the fleet's certificates (an inventory with none is exit 2),
 * compare with the PKI, issue only what differs. A dry run writes nothing and warns about what
 * the real run would refuse without `force`.
 */
export async function issueFleetCertificates(
  request: FleetIssueRequest,
  env: FleetIssueEnvironment,
): Promise<FleetIssueResult> {
  const { dryRun, force } = request;
  const inventory = await loadInventory(request.inventory);
  inventory.warnings.forEach((warning) => env.onWarning(warning));
  const planned = planFleet(inventory, { cluster: request.cluster });
  if (planned.length === 0) {
    throw usageError(
      "empty-fleet",
      `${request.inventory} has no instance with pg_cluster and pg_seq, nor an etcd member with etcd_seq: nothing to issue`,
    );
  }
  const layout = env.layout();
  // Before reading: finish or roll back what a killed pgwarden left, so the comparison sees whole pairs.
  if (!dryRun) await prepareForWrites(layout);
  // Every fleet certificate is a server's or a peer's: the server issuer signs them all (--issuer another).
  const issuerName = await issuerNameFor(layout, "server", request.issuer);
  const ca = dryRun ? undefined : await env.signingCa(issuerName);
  const rootDer = issuerName === ROOT_ISSUER ? undefined : (await readCertificate(layout.caCert)).der;
  const issuer = ca ? { ...ca, ...(rootDer ? { rootDer } : {}) } : await readIssuer(layout, issuerName);
  const comparison = await compareFleet(layout, issuer, planned, {
    keyType: request.keyType,
    now: env.now,
  });
  const applied =
    ca === undefined
      ? undefined
      : await applyFleet(layout, ca, comparison, { force, days: request.days, now: env.now });
  applied?.warnings.forEach((warning) => env.onWarning(warning));
  const foreign = comparison.certificates.find((item) => item.foreign !== undefined);
  if (dryRun && foreign && !force)
    env.onWarning(`without --force the run will refuse: ${foreignFleetError(layout, foreign).message}`);
  const linked = comparison.clusterKeys.find((key) => key.link !== undefined);
  if (dryRun && linked && !force)
    env.onWarning(`without --force the run will refuse: ${clusterKeyLinkError(layout, linked).message}`);
  return { dryRun, comparison, ...(applied ? { applied } : {}) };
}
