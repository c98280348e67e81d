import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** `data_checksums = off`: a page damaged on disk is read back as if it were good. */
export const dataChecksumsOff: AuditCheck = {
  id: "integrity/data-checksums-off",
  title: "Data checksums are off",
  layer: "data",
  severity: "high",
  soc2: ["CC9.1"],
  cis: "1.4.3",
  scope: "server",
  why: "Without page checksums, a page damaged by the disk, the controller or the filesystem is read and returned as good data, copied to replicas and backups, and the damage is found, if ever, long after the last good backup is gone.",
  fix: "stop the server, run pg_checksums --enable -D <PGDATA> (PostgreSQL 12+; it rewrites every data file, so time it), start the server; new clusters: initdb --data-checksums",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "data_checksums") !== "off") return [];
    return [
      {
        subject: "data_checksums",
        message: "data checksums are off: damaged pages are not detected",
        evidence: [settingEvidence(settings, "data_checksums")],
      },
    ];
  },
};
