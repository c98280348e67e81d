import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** The settings that dump each query's parse tree, rewritten tree or plan into the log (pgdsat 3.1.16 to 3.1.18). */
const DEBUG_PRINT_SETTINGS: readonly string[] = ["debug_print_parse", "debug_print_rewritten", "debug_print_plan"];

/** `debug_print_parse`, `debug_print_rewritten` or `debug_print_plan` on. */
export const debugPrint: AuditCheck = {
  id: "logging/debug-print",
  title: "Query trees are dumped into the log",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.16",
  scope: "server",
  why: "The debug_print_* settings write every query's internal tree, constants included, at LOG level: data values end up in the log and the log grows by kilobytes per query, burying what matters (CIS 3.1.16 to 3.1.18).",
  fix: "ALTER SYSTEM SET debug_print_parse = off; ALTER SYSTEM SET debug_print_rewritten = off; ALTER SYSTEM SET debug_print_plan = off; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    return DEBUG_PRINT_SETTINGS.filter((name) => settingValue(settings, name) === "on").map((name) => ({
      subject: name,
      message: `${name} is on`,
      evidence: [settingEvidence(settings, name)],
      fix: `ALTER SYSTEM SET ${name} = off; SELECT pg_reload_conf();`,
    }));
  },
};
