import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { passwordFromFile } from "./passfile.js";

const query = {
  host: "db1",
  port: "5432",
  dbname: "app",
  user: "alice",
  defaultSocketDirectory: "/var/run/postgresql",
};

function withPassfile(text: string, mode: number, check: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "passfile-"));
  try {
    const file = join(dir, ".pgpass");
    writeFileSync(file, text);
    chmodSync(file, mode);
    check(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("passfile lines match host, port, database and user as libpq matches them: first match wins, * for any, backslash escapes", () => {
  const text = [
    "# comment",
    "",
    "db2:5432:app:alice:wrong",
    "db1:*:app:alice:pa\\:ss\\\\word:ignored",
    "*:*:*:*:fallback",
  ].join("\n");
  withPassfile(text, 0o600, (file) => {
    assert.deepEqual(passwordFromFile(file, query), { password: "pa:ss\\word" });
    assert.deepEqual(passwordFromFile(file, { ...query, host: "db9" }), { password: "fallback" });
  });
  withPassfile("my\\:host:5432:app:alice:x\r\n", 0o600, (file) =>
    assert.deepEqual(
      passwordFromFile(file, { ...query, host: "my:host" }),
      { password: "x" },
      "escaped : in a field; CRLF",
    ),
  );
});

test("the default socket directory (and no host) is localhost in the passfile; another socket directory is matched as written", () => {
  withPassfile("localhost:5432:app:alice:local\n/tmp/s:5432:app:alice:other\n", 0o600, (file) => {
    assert.deepEqual(passwordFromFile(file, { ...query, host: "/var/run/postgresql" }), { password: "local" });
    assert.deepEqual(passwordFromFile(file, { ...query, host: "" }), { password: "local" });
    assert.deepEqual(passwordFromFile(file, { ...query, host: "/tmp/s" }), { password: "other" });
  });
});

test("a passfile group or others may read is ignored with libpq's warning; a missing one is no answer", () => {
  withPassfile("*:*:*:*:secret\n", 0o640, (file) => {
    const answer = passwordFromFile(file, query);
    assert.equal(answer.password, undefined);
    assert.equal(
      "warning" in answer ? answer.warning : undefined,
      `password file "${file}" has group or world access; permissions should be u=rw (0600) or less`,
    );
  });
  assert.deepEqual(passwordFromFile("/nonexistent/.pgpass", query), {});
});
