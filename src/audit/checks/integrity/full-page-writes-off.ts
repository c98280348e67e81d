import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** `full_page_writes = off`: a page torn by a crash mid-write cannot be repaired from the WAL. */
export const fullPageWritesOff: AuditCheck = {
  id: "integrity/full-page-writes-off",
  title: "full_page_writes is off",
  layer: "data",
  severity: "high",
  soc2: ["CC9.1", "A1.2"],
  scope: "server",
  why: "A crash while a page is half written leaves a torn page; the WAL can only repair it from the full image written after each checkpoint. Without full_page_writes recovery replays onto a torn page and the corruption stays (unless the filesystem guarantees atomic 8 kB writes, which few do).",
  fix: "ALTER SYSTEM SET full_page_writes = on; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "full_page_writes") !== "off") return [];
    return [
      {
        subject: "full_page_writes",
        message: "full_page_writes is off",
        evidence: [settingEvidence(settings, "full_page_writes")],
      },
    ];
  },
};
