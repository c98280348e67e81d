import type { FleetApplied } from "../../../pki/fleet/fleet-apply.js";
import type { ComparedCertificate, FleetComparison } from "../../../pki/fleet/fleet-compare.js";
import { issueFleetCertificates } from "../../../pki/fleet/issue-fleet.js";
import { DEFAULT_LEAF_VALIDITY_DAYS } from "../../../pki/issuing/validity.js";
import { DEFAULT_KEY_TYPE, parseKeyType } from "../../../pki/keys/key-type.js";
import { formatSubjectAltName } from "../../../pki/names/subject-alt-name.js";
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
  readonly issuer?: string;
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
  const { comparison, applied } = await issueFleetCertificates(
    {
      inventory: options.inventory,
      cluster: options.cluster,
      dryRun,
      force: options.force ?? false,
      days,
      keyType,
      issuer: options.issuer,
    },
    {
      layout: () => ctx.layout,
      now: ctx.now,
      signingCa: (issuerName) => loadSigningCa(ctx, options.insecure, { profile: "server", issuer: issuerName }),
      onWarning: (message) => ctx.output.warn(message),
    },
  );
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
