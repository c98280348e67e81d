import { accessSync, constants, realpathSync } from "node:fs";
import { basename, delimiter, join } from "node:path";

import { shellWord } from "../pki/trust/conninfo.js";

function realpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * How a shell runs this pgwarden again, for the commands it prints to paste: `pgwarden` when that
 * name on PATH is this very program, else the full path of its bin/pgwarden.js, as initdb prints
 * pg_ctl's full path when pg_ctl is not on PATH. `script` is the program node runs (process.argv[1]);
 * run from elsewhere (a test calling main()), the name is `pgwarden`.
 */
export function programWord(
  script: string | undefined = process.argv[1],
  path: string = process.env.PATH ?? "",
): string {
  if (script === undefined || !/^pgwarden(\.js)?$/.test(basename(script))) return "pgwarden";
  const self = realpath(script);
  if (self === undefined) return "pgwarden";
  const found = path
    .split(delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, "pgwarden"))
    .find(executable);
  return found !== undefined && realpath(found) === self ? "pgwarden" : shellWord(self);
}
