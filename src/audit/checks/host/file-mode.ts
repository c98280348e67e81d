import { type PathInfo } from "../../facts/pgdata-files.js";

/** `0750`: permission bits as chmod takes them. */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/** The evidence line of a path: its kind, mode and owner (and where a symlink points). */
export function pathEvidence(info: PathInfo): { readonly label: string; readonly value: string } {
  const link = info.kind === "symlink" ? ` -> ${info.linkTarget ?? "?"}` : "";
  return {
    label: `${info.kind === "directory" ? "directory" : info.kind === "symlink" ? "symlink" : "file"} ${info.path}${link}`,
    value: `mode ${octalMode(info.mode)}, owner uid ${info.uid}, group gid ${info.gid}`,
  };
}

/** A path in a shell command, single-quoted. */
export function shellQuote(path: string): string {
  return `'${path.replace(/'/g, "'\\''")}'`;
}
