import { quoteLiteral } from "../../core/identifier.js";
import { type Settings, settingValue } from "./settings.js";

/**
 * The libraries in shared_preload_libraries, by module name: quotes, `$libdir/` and a `.so`
 * dropped, as PostgreSQL finds them (`'$libdir/auth_delay.so'` is auth_delay).
 */
export function preloadedLibraries(settings: Settings): string[] {
  return (settingValue(settings, "shared_preload_libraries") ?? "")
    .split(",")
    .map((entry) => entry.trim().replace(/^"(.*)"$/, "$1"))
    .map((entry) => entry.slice(entry.lastIndexOf("/") + 1).replace(/\.(so|dylib|dll)$/, ""))
    .filter((entry) => entry !== "");
}

/**
 * The statement that adds `library` to shared_preload_libraries, keeping what is there, for a
 * fix a DBA pastes (the library takes effect at the next restart).
 */
export function preloadFix(settings: Settings, library: string): string {
  const list = [...preloadedLibraries(settings).filter((name) => name !== library), library].join(", ");
  return `ALTER SYSTEM SET shared_preload_libraries = ${quoteLiteral(list)};`;
}
