import { readFileSync } from "node:fs";

/** `pgwarden <version>`, as `--version` prints it: the version of package.json (this file runs from dist/src/cli/). */
export function versionLine(): string {
  const text = readFileSync(new URL("../../../package.json", import.meta.url), "utf8");
  return `pgwarden ${(JSON.parse(text) as { version: string }).version}`;
}
