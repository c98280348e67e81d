import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { ExitCode, PgwardenError } from "../../core/errors.js";
import { initCa } from "../authority/ca-init.js";
import { pkiLayout } from "../pki-layout.js";
import { describeCertificate } from "./certificate-info.js";

test("bytes that are no X.509 certificate are bad-certificate (exit 2, as cert inspect on such a file), not a plain Error", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-info-"));
  try {
    const { ca } = await initCa(pkiLayout(join(dir, "pki")), { days: 30 });
    const der = Buffer.from(ca.der);
    const garbage = [
      Buffer.alloc(0),
      Buffer.from("garbage"),
      der.subarray(0, der.length - 10),
      Buffer.concat([Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])]),
    ];
    for (const bytes of garbage) {
      assert.throws(
        () => describeCertificate(bytes),
        (error: unknown) =>
          error instanceof PgwardenError &&
          error.code === "bad-certificate" &&
          error.exitCode === ExitCode.usage &&
          /not a valid X\.509 certificate/.test(error.message),
        bytes.toString("hex"),
      );
    }
    // A real certificate is still described.
    assert.equal(describeCertificate(der).commonName, "pgwarden-ca");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
