import { quoteLiteral } from "../../core/identifier.js";
import { type Settings, settingValue } from "./settings.js";

/** shared_preload_libraries' entries as written: `pg_stat_statements, "$libdir/pgaudit"` -> two entries. */
function preloadEntries(settings: Settings): string[] {
  return (settingValue(settings, "shared_preload_libraries") ?? "")
    .split(",")
    .map((entry) => entry.trim().replace(/^"(.*)"$/, "$1"))
    .filter((entry) => entry !== "");
}

/**
 * The libraries in shared_preload_libraries, by module name: quotes, `$libdir/` and a `.so`
 * dropped, as PostgreSQL finds them (`'$libdir/auth_delay.so'` is auth_delay).
 */
export function preloadedLibraries(settings: Settings): string[] {
  return preloadEntries(settings).map((entry) =>
    entry.slice(entry.lastIndexOf("/") + 1).replace(/\.(so|dylib|dll)$/, ""),
  );
}

/**
 * The libraries the audit's checks ask to preload that are missing: pgaudit (logging/pgaudit-absent),
 * passwordcheck unless credcheck is loaded (passwords/no-strength-check), auth_delay unless
 * credcheck's own delay is in force (authentication/auth-delay).
 */
export function missingPreloads(settings: Settings): string[] {
  const loaded = preloadedLibraries(settings);
  const credcheckDelay =
    loaded.includes("credcheck") && Number(settingValue(settings, "credcheck.auth_delay_ms") ?? "0") > 0;
  return [
    ...(loaded.includes("pgaudit") ? [] : ["pgaudit"]),
    ...(loaded.includes("passwordcheck") || loaded.includes("credcheck") ? [] : ["passwordcheck"]),
    ...(loaded.includes("auth_delay") || credcheckDelay ? [] : ["auth_delay"]),
  ];
}

/**
 * The one statement every check that needs a preloaded library prints: what is loaded now plus
 * every library the audit asks for that is missing, in PostgreSQL's list form (`= 'a', 'b'`; one
 * literal `'a, b'` would name one library called "a, b" and stop the server at its restart). The
 * same text from each check, so pasting one, some or all of them, in any order, ends in one list.
 */
export function preloadFix(settings: Settings): string {
  const list = [...preloadEntries(settings), ...missingPreloads(settings)];
  return `ALTER SYSTEM SET shared_preload_libraries = ${list.map(quoteLiteral).join(", ")};`;
}
