/*
 * Key, certificate and chain file under one journal: `cert issue --cn-file` from an intermediate,
 * killed with SIGKILL at random moments (a first run, then --force re-runs), leaves every leaf's
 * three files all old or all new once the next command has run: `<cn>.fullchain.crt` always starts
 * with the very `<cn>.crt` beside it, followed by the intermediate, and `<cn>.key` matches it.
 */
import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";
import { runAndKillAfterRecords } from "./support/kill-after-records.js";
import { seededRandom } from "./support/seeded-random.js";

const NAMES = 600;
const KILLS = 4;

/** Each leaf's three files agree; returns how many leaves there are. */
async function assertTriplesMatch(groupDir: string, intermediatePem: string): Promise<number> {
  const names = new Set(await readdir(groupDir));
  let leaves = 0;
  for (const name of names) {
    if (!name.endsWith(".crt") || name.endsWith(".fullchain.crt")) continue;
    const base = name.slice(0, -".crt".length);
    const leafPem = await readFile(join(groupDir, name), "utf8");
    const cert = new X509Certificate(leafPem);
    assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(join(groupDir, `${base}.key`)))), `${base}.key`);
    assert.equal(
      await readFile(join(groupDir, `${base}.fullchain.crt`), "utf8"),
      leafPem + intermediatePem,
      `${base}.fullchain.crt is ${name} then the intermediate`,
    );
    leaves++;
  }
  for (const name of names) {
    const base = name.replace(/\.fullchain\.crt$|\.key$/, "");
    if (base !== name) assert.ok(names.has(`${base}.crt`), `${name} has its certificate`);
  }
  assert.deepEqual(
    [...names].filter((name) => name.endsWith(".tmp")),
    [],
    "no temp files after the next command",
  );
  return leaves;
}

describe("cert issue from an intermediate killed with SIGKILL: key, certificate and chain file land together", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let names: string;
  let intermediatePem: string;
  const random = seededRandom(0xc4a1);

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    pki = join(dir, "pki");
    const init = await pgwarden(["ca", "init", "--pki", pki, "--intermediates", "--no-passphrase"]);
    assert.equal(init.code, 0, init.stderr);
    intermediatePem = await readFile(join(pki, "ca", "client-ca.crt"), "utf8");
    names = join(dir, "names.txt");
    await writeFile(names, Array.from({ length: NAMES }, (_, i) => `chain_user_${i}`).join("\n"));
  });
  after(() => cleanup());

  for (const force of [false, true]) {
    test(`${force ? "--force re-runs" : "a first run"}: after every kill and the next command, each leaf's three files agree`, async () => {
      const args = ["cert", "issue", "--pki", pki, "--profile", "client", "--cn-file", names, "--quiet"];
      if (force) args.push("--force");
      let interrupted = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        const chunks = Math.floor(random() * 0.8 * Math.ceil(NAMES / 32));
        if (await runAndKillAfterRecords(pki, args, chunks, Math.floor(random() * 30))) interrupted++;
        // The next command finishes or rolls back what the journal names.
        const listed = await pgwarden(["cert", "list", "--pki", pki, "--quiet"]);
        assert.equal(listed.code, 0, listed.stderr);
        const leaves = await assertTriplesMatch(join(pki, "client"), intermediatePem);
        if (force) assert.equal(leaves, NAMES);
      }
      assert.ok(interrupted >= KILLS / 2, `most kills landed before the batch ended (${interrupted})`);
      const finish = await pgwarden([
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
      assert.equal(finish.code, 0, finish.stderr);
      assert.equal(await assertTriplesMatch(join(pki, "client"), intermediatePem), NAMES);
    });
  }
});
