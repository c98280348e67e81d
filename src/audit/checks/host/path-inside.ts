import { isAbsolute, posix } from "node:path";

/** Whether a server path (relative paths are relative to the data directory) lies inside the data directory. */
export function insideDataDirectory(path: string, dataDirectory: string): boolean {
  if (!isAbsolute(path)) return true;
  const root = posix.normalize(dataDirectory).replace(/\/+$/, "");
  const normalized = posix.normalize(path).replace(/\/+$/, "");
  return normalized === root || normalized.startsWith(`${root}/`);
}
