import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** `data_checksums = off`: a page damaged on disk is read back as if it were good. */
export const dataChecksumsOff: AuditCheck = settingCheck({
  id: "integrity/data-checksums-off",
  title: "Data checksums are off",
  layer: "data",
  severity: "high",
  soc2: ["CC9.1"],
  cis: "1.4.3",
  why: "Without page checksums, a page damaged by the disk, the controller or the filesystem is read and returned as good data, copied to replicas and backups, and the damage is found, if ever, long after the last good backup is gone.",
  fix: "stop the server, run pg_checksums --enable -D <PGDATA> (PostgreSQL 12+; it rewrites every data file, so time it), start the server; new clusters: initdb --data-checksums",
  setting: "data_checksums",
  isWeak: (value) => value === "off",
  message: () => "data checksums are off: damaged pages are not detected",
});
