import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { usageError } from "../../core/errors.js";
import { libpqHomeDirectory } from "./home-directory.js";
import { keywordSpec } from "./keywords.js";

/** Debian's libpq is built with --sysconfdir=/etc/postgresql-common (pg_config --sysconfdir): its pg_service.conf is there. */
export const DEFAULT_SYSCONFDIR = "/etc/postgresql-common";

/** One keyword a service file set, and where, for messages. */
export interface ServiceSetting {
  readonly value: string;
  /** `service NAME (FILE:LINE)`. */
  readonly origin: string;
}

/**
 * The keywords of service `name` in one file, as libpq reads it (fe-connect.c parseServiceFile):
 * blank lines and `#` comments skipped, `[name]` opens the group, `key=value` split at the first
 * `=` with no trimming around it; an unknown keyword or a line without `=` in the group is a
 * syntax error, and `service=` there is refused (no nesting). Undefined when the group is absent.
 */
export function readServiceGroup(file: string, name: string): Map<string, ServiceSetting> | undefined {
  const lines = readFileSync(file, "utf8").split("\n");
  let found: Map<string, ServiceSetting> | undefined;
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const where = `${file}:${index + 1}`;
    if (line.startsWith("[")) {
      if (found) return found;
      if (line.startsWith(`[${name}]`) && line.length >= name.length + 2) found = new Map();
      continue;
    }
    if (!found) continue;
    const equals = line.indexOf("=");
    if (equals === -1)
      throw usageError(
        "bad-service-file",
        `syntax error in service file ${where}: give keyword=value lines under [${name}]`,
      );
    const keyword = line.slice(0, equals);
    if (keyword === "service")
      throw usageError("bad-service-file", `nested service specifications not supported in service file ${where}`);
    if (!keywordSpec(keyword))
      throw usageError(
        "bad-service-file",
        `syntax error in service file ${where}: invalid connection option "${keyword}"`,
      );
    // The first line wins, as libpq never overrides a value already set.
    if (!found.has(keyword))
      found.set(keyword, { value: line.slice(equals + 1), origin: `service ${name} (${where})` });
  }
  return found;
}

const isFile = (path: string) => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};

/**
 * Service `name`'s keywords, looked up as libpq does (parseServiceInfo): PGSERVICEFILE or
 * ~/.pg_service.conf first, then PGSYSCONFDIR (else Debian's sysconfdir)/pg_service.conf;
 * a service in neither is an error, as in psql.
 */
export function lookUpService(name: string, env: NodeJS.ProcessEnv, source: string): Map<string, ServiceSetting> {
  const userFile = env.PGSERVICEFILE ?? join(libpqHomeDirectory(env), ".pg_service.conf");
  const systemFile = join(env.PGSYSCONFDIR ?? DEFAULT_SYSCONFDIR, "pg_service.conf");
  for (const file of [userFile, systemFile]) {
    if (!isFile(file)) continue;
    const group = readServiceGroup(file, name);
    if (group) return group;
  }
  throw usageError(
    "service-not-found",
    `${source}: definition of service "${name}" not found in ${userFile} or ${systemFile}`,
  );
}
