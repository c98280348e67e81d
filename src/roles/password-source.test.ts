import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { ExitCode, PgwardenError } from "../core/errors.js";
import { resolvePassword } from "./password-source.js";
import { scramVerifier } from "./scram.js";

const origin = { label: "pg_users app: password", key: "pg_users", written: { file: "pigsty.yml", line: 12 } };

async function configError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PgwardenError);
    assert.equal(error.exitCode, ExitCode.config);
    assert.match(error.message, pattern);
    return true;
  });
}

test("a plaintext string, a SCRAM secret and an md5 secret are told apart", async () => {
  const context = { baseDir: "/nowhere", env: {} };
  assert.deepEqual(await resolvePassword("Plain-Text-1", origin, context), {
    kind: "plaintext",
    value: "Plain-Text-1",
    from: "pg_users",
    source: origin.written,
  });
  const verifier = scramVerifier("x", { salt: Buffer.alloc(16, 1) });
  assert.equal((await resolvePassword(verifier, origin, context)).kind, "scram");
  assert.equal((await resolvePassword("md5" + "0123456789abcdef".repeat(2), origin, context)).kind, "md5");
  await configError(
    resolvePassword(verifier.slice(0, -4), origin, context),
    /^pigsty\.yml:12: pg_users app: password: starts like a SCRAM-SHA-256 secret but is not a valid one$/,
  );
  await configError(resolvePassword("", origin, context), /the password is empty$/);
});

test("{env} reads the variable; a missing one names the inventory line and the variable", async () => {
  const context = { baseDir: "/nowhere", env: { APP_PASSWORD: "From-Env-1" } };
  assert.deepEqual(await resolvePassword({ env: "APP_PASSWORD" }, origin, context), {
    kind: "plaintext",
    value: "From-Env-1",
    from: "pg_users (env APP_PASSWORD)",
    source: origin.written,
  });
  await configError(
    resolvePassword({ env: "NOT_SET" }, origin, context),
    /^pigsty\.yml:12: pg_users app: password: the environment variable NOT_SET is not set$/,
  );
  const located = { env: "NOT_SET", source: { file: "pigsty.yml", line: 30 } };
  await configError(
    resolvePassword(located, { label: "pg_admin_password (dbuser_dba)", key: "pg_admin_password" }, context),
    /^pigsty\.yml:30: pg_admin_password \(dbuser_dba\): the environment/,
  );
});

test("{file} reads the first line, relative to the inventory's directory; a missing file names the line and path", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-password-source-"));
  try {
    await writeFile(join(dir, "app.pw"), "From-File-1\r\nsecond line\n");
    const context = { baseDir: dir, env: {} };
    const read = await resolvePassword({ file: "app.pw" }, origin, context);
    assert.deepEqual(read, {
      kind: "plaintext",
      value: "From-File-1",
      from: `pg_users (file ${join(dir, "app.pw")})`,
      source: origin.written,
    });
    assert.equal(
      (await resolvePassword({ file: join(dir, "app.pw") }, origin, { baseDir: "/elsewhere", env: {} })).kind,
      "plaintext",
      "absolute paths as they are",
    );
    await configError(
      resolvePassword({ file: "missing.pw" }, origin, context),
      new RegExp(
        `^pigsty\\.yml:12: pg_users app: password: the password file ${join(dir, "missing.pw")} does not exist$`,
      ),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
