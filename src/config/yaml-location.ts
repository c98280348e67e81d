import { type Document, isMap, isScalar, type LineCounter } from "yaml";

/** A key path into the document: map keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_][\w-]*$/;

/** `all.children.pg-meta.hosts["10.10.10.11"].pg_hba_rules[2].auth`: dots for names, brackets for indexes and keys with dots. */
export function formatPath(path: YamlPath): string {
  return path
    .map((key, index) => {
      if (typeof key === "number") return `[${key}]`;
      if (PLAIN_KEY.test(key)) return index === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join("");
}

function startOf(node: unknown): number | undefined {
  return (node as { range?: readonly number[] } | null | undefined)?.range?.[0];
}

/** Where the entry at `path` starts: a map entry at its key (a block value starts a line later), a list item at itself. */
function entryStart(document: Document, path: YamlPath): number | undefined {
  const key = path[path.length - 1];
  const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
    return startOf(pair?.key);
  }
  return startOf(document.getIn(path, true));
}

/** A place in the file, both 1-based, as compilers print it (`file:line:column`). */
export interface YamlPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Where the entry at `path` starts, or its nearest ancestor that exists in the document (a
 * missing key, or one that came from an alias or a `<<` merge).
 */
export function positionOf(document: Document, lineCounter: LineCounter, path: YamlPath): YamlPosition {
  for (let length = path.length; length > 0; length--) {
    const start = entryStart(document, path.slice(0, length));
    if (start !== undefined) return toPosition(lineCounter, start);
  }
  const start = startOf(document.contents);
  return start === undefined ? { line: 1, column: 1 } : toPosition(lineCounter, start);
}

function toPosition(lineCounter: LineCounter, offset: number): YamlPosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** The 1-based line of {@link positionOf}. */
export function lineOf(document: Document, lineCounter: LineCounter, path: YamlPath): number {
  return positionOf(document, lineCounter, path).line;
}
