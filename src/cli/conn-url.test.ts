import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { initCa } from "../pki/authority/ca-init.js";
import { rotateCa } from "../pki/authority/ca-rotate.js";
import { pkiLayout } from "../pki/pki-layout.js";
import { candidateRoots } from "./conn-url.js";

test("the sslrootcert the conninfo hint names: ca/ca.crt, and ca/roots.crt first once a CA rotation made it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-candidates-"));
  try {
    const layout = pkiLayout(join(dir, "pki"));
    await initCa(layout);
    assert.deepEqual(candidateRoots(layout.root), [layout.caCert]);
    await rotateCa(layout);
    assert.deepEqual(candidateRoots(layout.root), [join(layout.caDir, "roots.crt"), layout.caCert]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
