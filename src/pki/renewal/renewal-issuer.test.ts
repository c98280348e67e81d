import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { pkiLayout } from "../pki-layout.js";
import { loadRenewalIssuer } from "./renewal-issuer.js";

test("an intermediate's certificates cannot be renewed yet: a PKI failure (exit 7) naming it; the root loads as ever", async () => {
  const root = await mkdtemp(join(tmpdir(), "renewal-issuer-"));
  try {
    const layout = pkiLayout(root);
    await assert.rejects(() => loadRenewalIssuer(layout, "server"), {
      code: "issuer-not-supported",
      exitCode: 7,
      message: /intermediate "server" is not supported yet/,
    });
    await assert.rejects(() => loadRenewalIssuer(layout, "ca"), { code: "ca-missing", exitCode: 4 });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
