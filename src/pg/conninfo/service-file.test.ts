import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { lookUpService, readServiceGroup } from "./service-file.js";

function withDir(check: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "service-"));
  try {
    check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a service group is read as libpq reads pg_service.conf: comments, blank lines, the first value wins, the next group ends it", () => {
  withDir((dir) => {
    const file = join(dir, "pg_service.conf");
    writeFileSync(file, "# x\n[other]\nhost=nope\n\n[prod]\n  host=db1  \nport=5433\nhost=db2\n[later]\nuser=x\n");
    const group = readServiceGroup(file, "prod");
    assert.deepEqual(Object.fromEntries([...(group ?? [])].map(([key, setting]) => [key, setting.value])), {
      host: "db1",
      port: "5433",
    });
    assert.equal(group?.get("port")?.origin, `service prod (${file}:7)`);
    assert.equal(readServiceGroup(file, "missing"), undefined);
  });
});

test("a bad line in the service's group is refused with file:line; the user's file comes before the system's", () => {
  withDir((dir) => {
    const user = join(dir, "user.conf");
    writeFileSync(user, "[a]\nsslmod=require\n[b]\nservice=c\n");
    const bad = (pattern: RegExp) => (error: unknown) =>
      error instanceof PgwardenError && error.exitCode === 2 && pattern.test(error.message);
    assert.throws(
      () => readServiceGroup(user, "a"),
      bad(new RegExp(`syntax error in service file ${user}:2: invalid connection option "sslmod"`)),
    );
    assert.throws(() => readServiceGroup(user, "b"), bad(/nested service specifications not supported/));
    writeFileSync(join(dir, "pg_service.conf"), "[sys]\nhost=system\n[a]\nhost=shadowed\n");
    const env = { PGSERVICEFILE: join(dir, "none.conf"), PGSYSCONFDIR: dir };
    assert.equal(lookUpService("sys", env, "PGSERVICE").get("host")?.value, "system");
    assert.throws(() => lookUpService("nope", env, "--conn"), bad(/definition of service "nope" not found/));
  });
});
