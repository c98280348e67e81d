import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { programWord } from "./program-word.js";

test("programWord: `pgwarden` when PATH finds this program, its full path when PATH finds none or another", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-program-word-"));
  try {
    const script = join(dir, "checkout dir", "bin", "pgwarden.js");
    await mkdir(join(dir, "checkout dir", "bin"), { recursive: true });
    await writeFile(script, "#!/usr/bin/env node\n", { mode: 0o755 });
    const [linked, other, empty] = ["linked", "other", "empty"].map((name) => join(dir, name));
    for (const bin of [linked, other, empty]) await mkdir(bin as string);
    await symlink(script, join(linked as string, "pgwarden"));
    await writeFile(join(other as string, "pgwarden"), "#!/bin/sh\n");
    await chmod(join(other as string, "pgwarden"), 0o755);

    assert.equal(programWord(script, `${empty}:${linked}`), "pgwarden");
    assert.equal(
      programWord(join(linked as string, "pgwarden"), `${linked}`),
      "pgwarden",
      "run through the link itself",
    );
    assert.equal(programWord(script, `${empty}`), `"${script}"`, "not on PATH: the full path, quoted for a shell");
    assert.equal(programWord(script, `${other}:${linked}`), `"${script}"`, "another pgwarden comes first on PATH");
    assert.equal(
      programWord("/some/test-runner.js", `${linked}`),
      "pgwarden",
      "not run as pgwarden (main() from a test)",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
