import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";
import { isRemoteRepo, reposInUse } from "./backup-repos.js";
import { shownValue, varEvidence, varOrigin } from "./inventory-values.js";

/** A remote pgBackRest repository (MinIO, S3, GCS, Azure, SFTP, CIFS) that a cluster backs up to without encryption. */
export const backupUnencrypted: AuditCheck = {
  id: "inventory/backup-unencrypted",
  title: "Backups leave the host unencrypted",
  layer: "data",
  severity: "high",
  soc2: ["A1.2", "CC6.1"],
  cis: "8.2",
  scope: "inventory",
  why: "A backup is a full copy of every database: in an object store or on a share without pgBackRest's cipher, whoever reads the bucket (a leaked key, a misconfigured policy, the storage provider) reads the data.",
  fix: "In the repository's entry of pgbackrest_repo add `cipher_type: aes-256-cbc` and `cipher_pass: <generated secret>` (pgwarden password generate), then create a new stanza and take a full backup",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    return reposInUse(view)
      .filter(
        (repo) => isRemoteRepo(repo.config) && [undefined, null, "none"].includes(repo.config.cipher_type as never),
      )
      .map((repo) => ({
        subject: `pgbackrest_repo.${repo.name}${repo.entry.defaulted || repo.entry.origin === "all.vars" ? "" : ` (${repo.entry.origin})`}`,
        message: `${repo.scopes.join(", ")} back up to the ${String(repo.config.type)} repository ${repo.name} without cipher_type (${varOrigin(repo.entry)}): the backups are stored in clear`,
        evidence: [
          varEvidence(
            repo.entry,
            `repository ${repo.name}: type ${shownValue(repo.config.type)}, cipher_type ${repo.config.cipher_type === undefined ? "not set" : shownValue(repo.config.cipher_type)}`,
          ),
        ],
        fix: `add cipher_type: aes-256-cbc and cipher_pass: <generated secret> to pgbackrest_repo.${repo.name} in ${repo.entry.source ? `${repo.entry.source.file}:${repo.entry.source.line}` : view.file}; then a new stanza and a full backup`,
      }));
  },
};
