import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";

import { loadInventory } from "../../../config/load-inventory.js";
import { notFoundError, pkiError, usageError } from "../../../core/errors.js";
import { applyFleet, type FleetApplied, foreignFleetError } from "../../../pki/fleet/fleet-apply.js";
import {
  clusterKeyLinkError,
  type ComparedCertificate,
  compareFleet,
  type FleetComparison,
  type FleetIssuer,
} from "../../../pki/fleet/fleet-compare.js";
import { planFleet } from "../../../pki/fleet/fleet-plan.js";
import { prepareForWrites } from "../../../pki/issue.js";
import { DEFAULT_KEY_TYPE, parseKeyType } from "../../../pki/key-type.js";
import { formatSubjectAltName } from "../../../pki/subject-alt-name.js";
import { DEFAULT_LEAF_VALIDITY_DAYS } from "../../../pki/validity.js";
import type { CommandContext } from "../../context.js";
import { loadSigningCa } from "./common.js";

export interface FleetModeOptions {
  readonly inventory: string;
  readonly cluster?: string;
  readonly dryRun?: boolean;
  readonly days?: number;
  readonly keyType?: string;
  readonly force?: boolean;
  readonly insecure?: boolean;
}

/** The CA certificate alone: a dry run compares without the CA key, so it never asks for its passphrase. */
async function readIssuer(caCert: string): Promise<FleetIssuer> {
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

const VERBS = {
  keep: ["unchanged", "unchanged"],
  issue: ["would issue", "issued"],
  reissue: ["would re-issue", "re-issued"],
} as const;

function line(item: ComparedCertificate, dryRun: boolean, serial?: string): string {
  const { planned } = item;
  const verb = VERBS[item.action][dryRun ? 0 : 1];
  const why = item.reason ? `  (${item.reason}${item.foreign ? `; not pgwarden's: ${item.foreign}` : ""})` : "";
  const names = planned.subjectAltNames.map(formatSubjectAltName).join(",");
  return `${verb.padEnd(14)} ${planned.certPath}  CN=${planned.commonName}  ${names}${serial ? `  serial ${serial}` : ""}${why}`;
}

/** The JSON of the fleet mode, in one place: the plan (or what was done), one object per certificate. */
export function fleetJson(comparison: FleetComparison, dryRun: boolean, applied?: FleetApplied) {
  return {
    dryRun,
    certificates: comparison.certificates.map((item, index) => {
      const outcome = applied?.outcomes[index];
      return {
        action: item.action,
        kind: item.planned.kind,
        host: item.planned.host,
        cluster: item.planned.cluster,
        commonName: item.planned.commonName,
        subjectAltNames: item.planned.subjectAltNames.map(formatSubjectAltName),
        profile: item.planned.profile.name,
        keyType: item.keyType,
        certPath: item.planned.certPath,
        keyPath: item.planned.keyPath,
        sharedKey: item.planned.sharedKey,
        reason: item.reason ?? null,
        foreign: item.foreign ?? null,
        serial: outcome?.serial ?? null,
        backups: outcome?.backups ?? [],
      };
    }),
    clusterKeys: comparison.clusterKeys.map((key) => ({
      keyPath: key.keyPath,
      action: key.action,
      keyType: key.keyType,
    })),
    warnings: applied?.warnings ?? [],
  };
}

/** `cert issue --inventory`: plan the fleet's certificates, compare with the PKI, issue only what differs. */
export async function issueFleet(ctx: CommandContext, options: FleetModeOptions): Promise<void> {
  const dryRun = options.dryRun ?? false;
  const days = options.days ?? DEFAULT_LEAF_VALIDITY_DAYS;
  const keyType = options.keyType === undefined ? DEFAULT_KEY_TYPE : parseKeyType(options.keyType);
  const inventory = await loadInventory(options.inventory);
  inventory.warnings.forEach((warning) => ctx.output.warn(warning));
  const planned = planFleet(inventory, { cluster: options.cluster });
  if (planned.length === 0) {
    throw usageError(
      "empty-fleet",
      `${options.inventory} has no instance with pg_cluster and pg_seq, nor an etcd member with etcd_seq: nothing to issue`,
    );
  }
  // Before reading: finish or roll back what a killed pgwarden left, so the comparison sees whole pairs.
  if (!dryRun) await prepareForWrites(ctx.layout);
  const ca = dryRun ? undefined : await loadSigningCa(ctx, options.insecure);
  const comparison = await compareFleet(ctx.layout, ca ?? (await readIssuer(ctx.layout.caCert)), planned, {
    keyType,
    now: ctx.now,
  });
  const applied =
    ca === undefined
      ? undefined
      : await applyFleet(ctx.layout, ca, comparison, { force: options.force ?? false, days, now: ctx.now });
  applied?.warnings.forEach((warning) => ctx.output.warn(warning));
  const foreign = comparison.certificates.find((item) => item.foreign !== undefined);
  if (dryRun && foreign && !options.force)
    ctx.output.warn(`without --force the run will refuse: ${foreignFleetError(ctx.layout, foreign).message}`);
  const linked = comparison.clusterKeys.find((key) => key.link !== undefined);
  if (dryRun && linked && !options.force)
    ctx.output.warn(`without --force the run will refuse: ${clusterKeyLinkError(ctx.layout, linked).message}`);
  if (ctx.output.format === "json") ctx.output.json(fleetJson(comparison, dryRun, applied));
  else
    ctx.output.data(
      comparison.certificates.map((item, index) => line(item, dryRun, applied?.outcomes[index]?.serial)).join("\n"),
    );
  const count = (action: string) => comparison.certificates.filter((item) => item.action === action).length;
  const keys = comparison.clusterKeys.filter((key) => key.action === "create").map((key) => key.keyPath);
  const keyNote = keys.length > 0 ? `; ${dryRun ? "would make" : "made"} cluster keys ${keys.join(", ")}` : "";
  const [issued, reissued] = dryRun ? ["to issue", "to re-issue"] : ["issued", "re-issued"];
  const counts = `${count("issue")} ${issued}, ${count("reissue")} ${reissued}, ${count("keep")} unchanged`;
  ctx.output.info(`pgwarden: ${dryRun ? "dry run, nothing written: " : ""}${counts}${keyNote}`);
}
