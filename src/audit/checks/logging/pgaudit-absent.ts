import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { preloadedLibraries, preloadFix } from "../../facts/auth-preload.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** A library list as shared_preload_libraries holds it: `pg_stat_statements, "$libdir/pgaudit"`. */
export function libraryList(value: string): string[] {
  return value
    .split(",")
    .map((entry) => entry.trim().replace(/^"(.*)"$/, "$1"))
    .filter((entry) => entry !== "");
}

/** The statement classes pgaudit.log enables: `all, -misc` -> every class but misc. */
export function pgauditClasses(value: string): Set<string> {
  const all = ["read", "write", "function", "role", "ddl", "misc", "misc_set"];
  const classes = new Set<string>();
  for (const entry of value.split(",").map((item) => item.trim().toLowerCase())) {
    const removed = entry.startsWith("-");
    const name = removed ? entry.slice(1) : entry;
    for (const one of name === "all" ? all : [name]) {
      if (removed) classes.delete(one);
      else if (one !== "none" && one !== "") classes.add(one);
    }
  }
  return classes;
}

/** The classes without which pgaudit records neither schema changes nor data changes (pgdsat's minimum). */
const REQUIRED_CLASSES: readonly string[] = ["ddl", "write"];

/** pgaudit not preloaded, or loaded but logging neither DDL nor writes. */
export const pgauditAbsent: AuditCheck = {
  id: "logging/pgaudit-absent",
  title: "pgaudit does not record the session",
  layer: "data",
  severity: "medium",
  soc2: ["CC7.2"],
  cis: "3.2",
  scope: "server",
  why: "log_statement records the text sent, not what was done (a function or a prepared statement hides it) and cannot tell read from write per object. pgaudit, preloaded, writes audit records an auditor can rely on; pgaudit.log should include at least ddl and write.",
  fix: "ALTER SYSTEM SET shared_preload_libraries = '<what is loaded now>', 'pgaudit'; -- then restart the server, and ALTER SYSTEM SET pgaudit.log = 'ddl, role, write'; SELECT pg_reload_conf(); (the server knows pgaudit.log only once pgaudit is loaded)",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (!preloadedLibraries(settings).includes("pgaudit")) {
      return [
        {
          subject: "shared_preload_libraries",
          message: "pgaudit is not in shared_preload_libraries",
          evidence: [settingEvidence(settings, "shared_preload_libraries")],
          fix: `${preloadFix(settings)} -- then restart the server, and ALTER SYSTEM SET pgaudit.log = 'ddl, role, write'; SELECT pg_reload_conf(); (the server knows pgaudit.log only once pgaudit is loaded)`,
        },
      ];
    }
    const classes = pgauditClasses(settingValue(settings, "pgaudit.log") ?? "none");
    const missing = REQUIRED_CLASSES.filter((required) => !classes.has(required));
    if (missing.length === 0) return [];
    const draft: FindingDraft = {
      subject: "pgaudit.log",
      message: `pgaudit is loaded but pgaudit.log does not include ${missing.join(" and ")}`,
      evidence: [settingEvidence(settings, "shared_preload_libraries"), settingEvidence(settings, "pgaudit.log")],
      fix: "ALTER SYSTEM SET pgaudit.log = 'ddl, role, write'; SELECT pg_reload_conf();",
    };
    return [draft];
  },
};
