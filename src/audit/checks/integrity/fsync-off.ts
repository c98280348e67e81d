import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** `fsync = off`: a crash of the host can lose committed transactions and corrupt the cluster. */
export const fsyncOff: AuditCheck = settingCheck({
  id: "integrity/fsync-off",
  title: "fsync is off",
  layer: "data",
  severity: "high",
  soc2: ["CC9.1", "A1.2"],
  why: "With fsync off the server never forces its writes to disk: after a power loss or an operating-system crash, committed transactions are gone and the data files may be inconsistent beyond repair, with nothing to say so.",
  fix: "ALTER SYSTEM SET fsync = on; SELECT pg_reload_conf();",
  setting: "fsync",
  isWeak: (value) => value === "off",
  message: () => "fsync is off",
});
