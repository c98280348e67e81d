import type { SourceLocation } from "../../core/source-location.js";
import type { HbaFile } from "../model.js";
import type { RenderedHba } from "../render/index.js";

/**
 * For rules rendered from an inventory: each parsed line's source rule (`file:line` in the
 * inventory, or in Pigsty's defaults), so the lines one alias renders give one finding.
 * Without a rendering every line is its own rule (undefined).
 */
export function renderedRuleOrigins(
  file: HbaFile,
  rendered: RenderedHba | undefined,
  inventoryFile: string | undefined,
): (location: SourceLocation) => string | undefined {
  const origins = new Map<string, string>();
  if (rendered && inventoryFile !== undefined) {
    const name = file.rules[0]?.source.file;
    for (const rule of rendered.rules) {
      if (!rule.active || !rule.source) continue;
      const parsedAt =
        rule.source.file === inventoryFile ? `${rule.source.file}:${rule.source.line}` : `${name}:${rule.fileLine}`;
      origins.set(parsedAt, `${rule.source.file}:${rule.source.line}`);
    }
  }
  return (location) => origins.get(`${location.file}:${location.line}`);
}
