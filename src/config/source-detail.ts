import { type SourceLocation } from "../core/source-location.js";

/** What the inventory loader knows about a place beyond its file and line. */
export interface SourceDetail {
  /** 1-based, where the entry's key (or list item) starts. */
  readonly column?: number;
  /** The dotted key path (`all.children.pg-test.vars.pg_users[0]`). */
  readonly path?: string;
}

/**
 * Kept beside the locations rather than in them: SourceLocation is compared and copied in many
 * places (HBA rules, role entries), which keep seeing `{ file, line }` only.
 */
const details = new WeakMap<SourceLocation, SourceDetail>();

/** A location that remembers its column and key path, for problem lists (`file:line:column`) and JSON. */
export function locatedSource(file: string, line: number, detail: SourceDetail): SourceLocation {
  const source: SourceLocation = { file, line };
  details.set(source, detail);
  return source;
}

/** The column and path recorded for `source`; empty for a location made elsewhere. */
export function sourceDetail(source: SourceLocation): SourceDetail {
  return details.get(source) ?? {};
}
