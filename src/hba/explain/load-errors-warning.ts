import { sourcePrefix } from "../../core/source-location.js";
import type { HbaFile } from "../model.js";

/**
 * The warning for a file with records PostgreSQL refuses (the first, and how many more): the
 * server would not load such a file at all, so its rules would not be in force.
 */
export function loadErrorsWarning(file: HbaFile): string | undefined {
  const [first] = file.errors;
  if (!first) return undefined;
  const more = file.errors.length > 1 ? ` and ${file.errors.length - 1} more` : "";
  return `${sourcePrefix(first.source)}${first.message}${more}: PostgreSQL refuses to load a file with errors, so these rules would not be in force`;
}
