import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** `full_page_writes = off`: a page torn by a crash mid-write cannot be repaired from the WAL. */
export const fullPageWritesOff: AuditCheck = settingCheck({
  id: "integrity/full-page-writes-off",
  title: "full_page_writes is off",
  layer: "data",
  severity: "high",
  soc2: ["CC9.1", "A1.2"],
  why: "A crash while a page is half written leaves a torn page; the WAL can only repair it from the full image written after each checkpoint. Without full_page_writes recovery replays onto a torn page and the corruption stays (unless the filesystem guarantees atomic 8 kB writes, which few do).",
  fix: "ALTER SYSTEM SET full_page_writes = on; SELECT pg_reload_conf();",
  setting: "full_page_writes",
  isWeak: (value) => value === "off",
  message: () => "full_page_writes is off",
});
