import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/** Every module a compiled module loads, followed through relative imports and re-exports (type-only ones are gone after compiling). */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    // A dynamic import could load anything at run time: the worker's modules have none.
    if (/\bimport\s*\(/.test(source)) seen.add(`dynamic import in ${file}`);
    for (const match of source.matchAll(/^\s*(?:import|export)\s+(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm)) {
      const specifier = match[1] as string;
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      else seen.add(specifier);
    }
  };
  visit(entry);
  return seen;
}

test("the signing worker loads no ASN.1 engine, X.509 library, file or certificate-records code: each worker starts in milliseconds", () => {
  const graph = importGraph(fileURLToPath(new URL("./issue-worker.js", import.meta.url)));
  const packages = [...graph].filter((entry) => !entry.startsWith("/"));
  assert.ok(
    packages.every((name) => name.startsWith("node:")),
    `the worker imports ${packages.filter((name) => !name.startsWith("node:")).join(", ")}`,
  );
  const local = [...graph].filter((entry) => entry.startsWith("/")).map((file) => file.split("/").slice(-2).join("/"));
  assert.ok(
    local.includes("issuing/leaf-signer.js") && local.includes("encoding/certificate-der.js"),
    local.join(", "),
  );
  for (const heavy of [
    "encoding/certificate-extensions.js",
    "issuing/leaf-template.js",
    "issuing/issue.js",
    "records/certificate-records.js",
    "fs/atomic-write.js",
  ]) {
    assert.ok(!local.includes(heavy), `the worker loads ${heavy}`);
  }
});

test("the import graph reader sees what the main-thread signer loads (the check above can fail)", () => {
  const graph = importGraph(fileURLToPath(new URL("./leaf-template.js", import.meta.url)));
  assert.ok(graph.has("@peculiar/asn1-x509"));
  assert.ok(graph.has("reflect-metadata"));
});
