/*
 * cert renew --rekey killed with SIGKILL at random moments: after each kill and the next command,
 * every pair is the old one or the new one (key matching certificate), each recorded, and a renewal
 * record exists exactly for the pairs that were replaced. A run without a kill finishes the rest.
 */
import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { normalizeSerial } from "../src/pki/encoding/serial.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { readRecords } from "../src/pki/records/certificate-records.js";
import { pgwarden, tempDir } from "./support/cli.js";
import { runAndKillAfterRecords } from "./support/kill-after-records.js";
import { seededRandom } from "./support/seeded-random.js";

const NAMES = 1000;
const KILLS = 6;
const CHUNK = 32;

/** Each CN's pair on disk: present, key matching certificate; returns CN -> serial on disk. */
async function pairsOnDisk(dir: string): Promise<Map<string, string>> {
  const names = await readdir(dir);
  assert.deepEqual(
    names.filter((name) => name.endsWith(".tmp")),
    [],
    "no temp file once the next command has run",
  );
  const serials = new Map<string, string>();
  for (const name of names.filter((n) => n.endsWith(".crt"))) {
    const base = name.slice(0, -4);
    const cert = new X509Certificate(await readFile(join(dir, name)));
    assert.ok(
      cert.checkPrivateKey(createPrivateKey(await readFile(join(dir, `${base}.key`)))),
      `${base}: key and certificate are one pair`,
    );
    serials.set(base, normalizeSerial(cert.serialNumber));
  }
  return serials;
}

describe("cert renew --rekey killed with SIGKILL at random moments", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let pki: string;
  const random = seededRandom(0x7e11e);

  before(async () => {
    work = await tempDir();
    pki = join(work.dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase"])).code, 0);
    const names = join(work.dir, "names.txt");
    await writeFile(names, Array.from({ length: NAMES }, (_, i) => `renew_user_${i}`).join("\n"));
    const issued = await pgwarden([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "client",
      "--cn-file",
      names,
      "--days",
      "10",
      "--quiet",
    ]);
    assert.equal(issued.code, 0, issued.stderr);
  });
  after(() => work?.cleanup());

  test("every kill leaves each pair old or new, matching and recorded; renewal records exactly for the new ones; a last run finishes", async () => {
    const args = ["cert", "renew", "--pki", pki, "--expiring", "30d", "--rekey", "--days", "365", "--quiet"];
    const layout = pkiLayout(pki);
    const original = await pairsOnDisk(join(pki, "client"));
    assert.equal(original.size, NAMES);
    let interrupted = 0;
    let renewedSoFar = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const pending = NAMES - renewedSoFar;
      const chunks = Math.floor(random() * 0.8 * Math.ceil(pending / CHUNK));
      if (await runAndKillAfterRecords(pki, args, chunks, Math.floor(random() * 30))) interrupted++;
      // The next command: cert list finishes what the kill left half done.
      const listed = await pgwarden(["--format", "json", "cert", "list", "--pki", pki]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(await readdir(join(pki, "db", "journal")).catch(() => []), [], "no pending journal");
      const onDisk = await pairsOnDisk(join(pki, "client"));
      assert.equal(onDisk.size, NAMES, "no pair lost");
      const { records } = await readRecords(layout);
      const recorded = new Map(records.map((record) => [normalizeSerial(record.serial), record]));
      let renewed = 0;
      for (const [cn, serial] of onDisk) {
        const record = recorded.get(serial);
        assert.ok(record, `${cn}: the certificate on disk is recorded`);
        if (serial === original.get(cn)) assert.equal(record.renews, undefined);
        else {
          assert.equal(record.renews, original.get(cn), `${cn}: the new certificate's record renews the old one`);
          renewed++;
        }
      }
      assert.equal(
        records.filter((record) => record.renews !== undefined).length,
        renewed,
        "a renewal record only for each pair that was replaced",
      );
      const statuses = (
        JSON.parse(listed.stdout) as { certificates: { status: string; commonName: string }[] }
      ).certificates
        .filter((entry) => entry.commonName.startsWith("renew_user_"))
        .map((entry) => entry.status);
      assert.deepEqual(
        [...new Set(statuses)].filter((status) => status !== "valid" && status !== "replaced"),
        [],
      );
      renewedSoFar = renewed;
    }
    assert.ok(interrupted >= KILLS / 2, `most kills landed before the run ended (${interrupted})`);
    const last = await pgwarden(["--format", "json", ...args.filter((arg) => arg !== "--quiet")]);
    assert.equal(last.code, 0, last.stderr);
    assert.equal(
      (JSON.parse(last.stdout) as { renewed: unknown[] }).renewed.length,
      NAMES - renewedSoFar,
      "only the rest is renewed",
    );
    const { records } = await readRecords(layout);
    assert.equal(
      records.filter((record) => record.renews !== undefined).length,
      NAMES,
      "each certificate renewed exactly once",
    );
    assert.equal((await pairsOnDisk(join(pki, "client"))).size, NAMES);
  });
});
