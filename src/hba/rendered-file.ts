import { type SourceLocation } from "../core/source-location.js";
import type { HbaFile } from "./model.js";
import { parseHbaText } from "./parse/index.js";
import type { RenderedHba } from "./render/index.js";

/**
 * The name a rendered file goes by in messages, as if saved by `hba render > NAME`:
 * `pg-meta-1.pg_hba.conf`, `pg-test-3.pgb_hba.conf`, or the cluster's name for a
 * cluster-level render. It is not a file on disk.
 */
export function renderedFileName(rendered: RenderedHba): string {
  const who = rendered.instance?.name ?? rendered.instance?.host ?? rendered.cluster;
  return `${who}.${rendered.target === "pg" ? "pg_hba.conf" : "pgb_hba.conf"}`;
}

/**
 * A rendered file read back as PostgreSQL would read it (rules commented out for the
 * instance's role are not rules), each rule and each error pointing at the line of
 * `inventoryFile` where its rule object is written. A line whose rule object is not in that
 * file (Pigsty's built-in default lists, used when the inventory sets none) keeps its line
 * in the rendered file, the one place it can be seen.
 */
export async function parseRendered(
  rendered: RenderedHba,
  inventoryFile: string,
  file: string = renderedFileName(rendered),
): Promise<HbaFile> {
  const parsed = await parseHbaText(rendered.text, file);
  const origins = new Map<number, SourceLocation>();
  for (const rule of rendered.rules) if (rule.source?.file === inventoryFile) origins.set(rule.fileLine, rule.source);
  // A fresh location per rule: one rule object can render several lines (localhost is three).
  const origin = (source: SourceLocation): SourceLocation => {
    const found = source.file === file ? origins.get(source.line) : undefined;
    return found ? { file: found.file, line: found.line } : source;
  };
  return {
    rules: parsed.rules.map((rule) => ({ ...rule, source: origin(rule.source) })),
    errors: parsed.errors.map((error) => ({ ...error, source: origin(error.source) })),
  };
}
