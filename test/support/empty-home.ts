import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let home: string | undefined;

/**
 * The HOME a child gets unless its test gives one: empty, so nothing in the operator's
 * ~/.postgresql (a client certificate libpq would present), ~/.pgpass or ~/.pg_service.conf
 * changes what a test sees, and nothing a command writes under HOME lands in theirs.
 */
export function emptyHome(): string {
  if (home === undefined) {
    home = mkdtempSync(join(tmpdir(), "pgwarden-test-home-"));
    const made = home;
    process.once("exit", () => rmSync(made, { recursive: true, force: true }));
  }
  return home;
}
