import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { type CliResult, pgwarden, PGWARDEN_BIN, tempDir } from "./support/cli.js";

const FLEET = 2000;
/** Below what a fleet needs if every file is opened at once, above what Node itself holds open. */
const FILE_LIMIT = 256;

/** Runs pgwarden under `ulimit -n` (soft and hard, so Node cannot raise it back). */
function pgwardenLimited(args: readonly string[]): Promise<CliResult> {
  const quoted = args.map((arg) => `'${arg.replace(/'/g, "'\\''")}'`).join(" ");
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["-c", `ulimit -n ${FILE_LIMIT}; exec '${process.execPath}' '${PGWARDEN_BIN}' ${quoted}`],
      {
        env: { ...process.env, PGWARDEN_DEBUG: undefined, PGWARDEN_PKI: undefined },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

interface ListEntry {
  readonly commonName: string;
  readonly status: string;
  readonly path: string;
}

describe("cert list and cert issue under a file-descriptor limit, and files that cannot be read", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  test(`under ulimit -n ${FILE_LIMIT}: --cn-file issues ${FLEET} certificates and cert list shows all ${FLEET + 1} valid`, async () => {
    const pki = join(dir, "limited");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    const names = join(dir, "fleet.txt");
    await writeFile(names, Array.from({ length: FLEET }, (_, i) => `limited_user_${i}`).join("\n"));
    const issued = await pgwardenLimited([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "client",
      "--cn-file",
      names,
      "--quiet",
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    const listed = await pgwardenLimited(["--format", "json", "cert", "list", "--pki", pki]);
    assert.equal(listed.code, 0, listed.stderr);
    const entries = (JSON.parse(listed.stdout) as { certificates: ListEntry[] }).certificates;
    assert.equal(entries.length, FLEET + 1);
    assert.deepEqual(
      entries.filter((entry) => entry.status !== "valid").map((entry) => `${entry.path}: ${entry.status}`),
      [],
    );
  });

  test("a certificate replaced by a directory or a dangling symlink is a read error (exit 7), never shown as missing", async () => {
    const pki = join(dir, "broken");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    for (const cn of ["alice", "bob", "carol"])
      assert.equal((await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", cn])).code, 0);
    await rm(join(pki, "client", "alice.crt"));
    await mkdir(join(pki, "client", "alice.crt"));
    await rm(join(pki, "client", "bob.crt"));
    await symlink(join(dir, "nowhere.crt"), join(pki, "client", "bob.crt"));
    const listed = await pgwarden(["--format", "json", "cert", "list", "--pki", pki]);
    assert.equal(listed.code, 7, listed.stderr);
    assert.match(listed.stderr, /client\/alice\.crt.*(directory|EISDIR)/i);
    assert.match(listed.stderr, /client\/bob\.crt.*(symlink|symbolic link|ENOENT)/i);
    const entries = (JSON.parse(listed.stdout) as { certificates: ListEntry[] }).certificates;
    assert.deepEqual(
      entries.filter((entry) => entry.status === "missing"),
      [],
      "a file pgwarden cannot read is not a missing certificate",
    );
    assert.deepEqual(
      entries.filter((entry) => entry.commonName === "carol").map((entry) => entry.status),
      ["valid"],
    );
    // A certificate that really is gone is missing, and that alone is no error.
    await rm(join(pki, "client", "alice.crt"), { recursive: true });
    await rm(join(pki, "client", "bob.crt"));
    const gone = await pgwarden(["--format", "json", "cert", "list", "--pki", pki]);
    assert.equal(gone.code, 0, gone.stderr);
    assert.deepEqual(
      (JSON.parse(gone.stdout) as { certificates: ListEntry[] }).certificates
        .filter((entry) => entry.status === "missing")
        .map((entry) => entry.commonName)
        .sort(),
      ["alice", "bob"],
    );
  });

  test("cert list shows a key that does not match its certificate as key-mismatch", async () => {
    const pki = join(dir, "mismatch");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    for (const cn of ["dave", "erin"])
      assert.equal((await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", cn])).code, 0);
    await copyFile(join(pki, "client", "dave.key"), join(pki, "client", "erin.key"));
    const listed = await pgwarden(["--format", "json", "cert", "list", "--pki", pki]);
    assert.equal(listed.code, 0, listed.stderr);
    const status = Object.fromEntries(
      (JSON.parse(listed.stdout) as { certificates: ListEntry[] }).certificates.map((entry) => [
        entry.commonName,
        entry.status,
      ]),
    );
    assert.equal(status.dave, "valid");
    assert.equal(status.erin, "key-mismatch");
    const text = await pgwarden(["cert", "list", "--pki", pki]);
    assert.match(text.stdout, /erin .*key-mismatch/);
  });
});
