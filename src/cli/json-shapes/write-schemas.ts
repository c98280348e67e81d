/* `npm run schemas`: writes schemas/ from the shapes (src/cli/json-shapes/); the contract test checks they agree. */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { schemaFiles } from "./schema-files.js";

// This file runs from dist/src/cli/json-shapes/.
const dir = fileURLToPath(new URL("../../../../schemas/", import.meta.url));
await mkdir(dir, { recursive: true });
const files = schemaFiles();
for (const name of await readdir(dir)) if (!files.has(name)) await rm(join(dir, name));
for (const [name, text] of files) await writeFile(join(dir, name), text);
process.stdout.write(`wrote ${files.size} schemas to ${dir}\n`);
