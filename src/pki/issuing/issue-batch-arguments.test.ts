import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { pkiLayout } from "../pki-layout.js";
import { issueBatch, MAX_WORKERS } from "./issue-batch.js";

test("issueBatch refuses a worker count that is not a whole number from 0 to MAX_WORKERS before anything else (1e9 ran out of memory)", async () => {
  const layout = pkiLayout("/nonexistent/pgwarden-batch-arguments");
  for (const workers of [-1, 1.5, Number.NaN, MAX_WORKERS + 1, 1e9]) {
    await assert.rejects(
      issueBatch(layout, {} as CertificateAuthority, [], { workers }),
      (error: unknown) => error instanceof PgwardenError && error.code === "bad-workers" && error.exitCode === 2,
      String(workers),
    );
  }
  for (const workers of [0, 1, MAX_WORKERS])
    assert.deepEqual(await issueBatch(layout, {} as CertificateAuthority, [], { workers }), {
      issued: [],
      skipped: [],
    });
});
