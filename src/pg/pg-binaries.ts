import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";

import { notFoundError } from "../core/errors.js";

/** The server programs pgwarden drives: initdb, pg_ctl, postgres. */
export const SERVER_PROGRAMS = ["initdb", "pg_ctl", "postgres"] as const;

export interface PgBinaries {
  readonly dir: string;
  /** How the directory was found, for messages. */
  readonly source: "--pg-bin" | "pg_config" | "PATH" | "packaged";
}

function hasServer(dir: string): boolean {
  return SERVER_PROGRAMS.every((program) => existsSync(join(dir, program)));
}

function pgConfigBindir(): string | undefined {
  try {
    return (
      execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}

/** Newest first: `/usr/lib/postgresql/<major>/bin` (Debian, Ubuntu) and `/usr/pgsql-<major>/bin` (EL). */
function packagedDirs(): string[] {
  const found: { major: number; dir: string }[] = [];
  const scan = (root: string, pattern: RegExp, bin: (name: string) => string) => {
    let names: string[] = [];
    try {
      names = readdirSync(root);
    } catch {
      return;
    }
    for (const name of names) {
      const major = pattern.exec(name)?.[1];
      if (major !== undefined) found.push({ major: Number(major), dir: bin(name) });
    }
  };
  scan("/usr/lib/postgresql", /^(\d+(?:\.\d+)?)$/, (name) => join("/usr/lib/postgresql", name, "bin"));
  scan("/usr", /^pgsql-(\d+(?:\.\d+)?)$/, (name) => join("/usr", name, "bin"));
  return found.sort((a, b) => b.major - a.major).map((entry) => entry.dir);
}

/** Where the machine's own server may be, beyond PATH; injected by tests. */
export interface ServerLocations {
  readonly pgConfigBindir: () => string | undefined;
  readonly packagedDirs: () => string[];
}

const MACHINE_LOCATIONS: ServerLocations = { pgConfigBindir, packagedDirs };

/**
 * Finds the PostgreSQL server programs: `--pg-bin`, then `pg_config --bindir`, then PATH,
 * then the packaged locations, newest major first. None: exit 4 naming the package.
 */
export function findServerBinaries(
  pgBin?: string,
  path: string = process.env.PATH ?? "",
  locations: ServerLocations = MACHINE_LOCATIONS,
): PgBinaries {
  if (pgBin !== undefined) {
    if (hasServer(pgBin)) return { dir: pgBin, source: "--pg-bin" };
    throw notFoundError(
      "pg-bin",
      `--pg-bin ${pgBin} does not hold ${SERVER_PROGRAMS.join(", ")}: give the server's bin directory (pg_config --bindir shows it)`,
    );
  }
  const fromConfig = locations.pgConfigBindir();
  if (fromConfig && hasServer(fromConfig)) return { dir: fromConfig, source: "pg_config" };
  const onPath = path.split(delimiter).find((dir) => dir !== "" && hasServer(dir));
  if (onPath) return { dir: onPath, source: "PATH" };
  const packaged = locations.packagedDirs().find(hasServer);
  if (packaged) return { dir: packaged, source: "packaged" };
  throw notFoundError(
    "pg-server-missing",
    "PostgreSQL server programs (initdb, pg_ctl, postgres) not found in pg_config --bindir, PATH, /usr/lib/postgresql/*/bin or /usr/pgsql-*/bin: install the server (Debian/Ubuntu: apt-get install postgresql; EL: dnf install postgresql-server) or pass --pg-bin DIR",
  );
}
