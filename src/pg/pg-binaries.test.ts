import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { PgwardenError } from "../core/errors.js";
import { findServerBinaries, SERVER_PROGRAMS } from "./pg-binaries.js";

test("--pg-bin is taken when it holds initdb, pg_ctl and postgres, and refused with exit 4 when not", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-bin-"));
  try {
    for (const program of SERVER_PROGRAMS.slice(0, 2)) {
      await writeFile(join(dir, program), "#!/bin/sh\n");
      await chmod(join(dir, program), 0o755);
    }
    assert.throws(
      () => findServerBinaries(dir),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.exitCode === 4 &&
        /does not hold initdb, pg_ctl, postgres/.test(error.message),
    );
    await writeFile(join(dir, "postgres"), "#!/bin/sh\n");
    assert.deepEqual(findServerBinaries(dir), { dir, source: "--pg-bin" });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("without --pg-bin the machine's server is found (pg_config, PATH or the packaged directories)", () => {
  const found = findServerBinaries(undefined, "");
  assert.ok(["pg_config", "PATH", "packaged"].includes(found.source));
  assert.match(found.dir, /bin$/);
});

test("no server anywhere: exit 4 naming the packages to install", () => {
  const nowhere = { pgConfigBindir: () => undefined, packagedDirs: () => [join(tmpdir(), "pgwarden-no-such-bin")] };
  assert.throws(
    () => findServerBinaries(undefined, "", nowhere),
    (error: unknown) =>
      error instanceof PgwardenError &&
      error.exitCode === 4 &&
      /apt-get install postgresql/.test(error.message) &&
      /dnf install postgresql-server/.test(error.message),
  );
});
