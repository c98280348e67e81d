import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { normalizeSerial } from "../src/pki/encoding/serial.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { readRecords } from "../src/pki/records/certificate-records.js";
import { pgwarden, PGWARDEN_BIN, tempDir } from "./support/cli.js";

async function writeNames(path: string, prefix: string, count: number): Promise<void> {
  await writeFile(path, Array.from({ length: count }, (_, i) => `${prefix}_${i}`).join("\n"));
}

/**
 * The invariants that must hold whatever happened: every key, certificate and record on
 * disk is whole; every certificate has its record with the same serial; every recorded
 * key belongs to its certificate; no serial appears twice.
 */
async function assertConsistent(pki: string, group = "client"): Promise<{ records: number; certs: number }> {
  const layout = pkiLayout(pki);
  const { records, unreadable } = await readRecords(layout);
  assert.deepEqual(unreadable, [], "every record file is whole JSON");
  assert.equal(new Set(records.map((record) => record.serial)).size, records.length, "no duplicate serial");
  const bySerial = new Map(records.map((record) => [record.serial, record]));
  const names = await readdir(join(pki, group)).catch(() => [] as string[]);
  const visible = names.filter((name) => !name.startsWith("."));
  let certs = 0;
  for (const name of visible) {
    const path = join(pki, group, name);
    if (name.endsWith(".key")) {
      createPrivateKey(await readFile(path)); // throws on a half-written key
      continue;
    }
    const cert = new X509Certificate(await readFile(path));
    certs++;
    const record = bySerial.get(normalizeSerial(cert.serialNumber));
    assert.ok(record, `${name} has a record`);
    assert.equal(record.certPath, `${group}/${name}`);
    const keyPath = join(pki, record.keyPath as string);
    assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(keyPath))), `${name} matches its key`);
  }
  return { records: records.length, certs };
}

describe("the inventory under concurrency and kill -9", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  test("concurrent processes issuing into one PKI lose no record and share no serial", async () => {
    const pki = join(dir, "concurrent");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    const processes = 4;
    const perProcess = 120;
    await Promise.all(
      Array.from({ length: processes }, (_, p) => writeNames(join(dir, `names-${p}.txt`), `p${p}`, perProcess)),
    );
    const results = await Promise.all(
      Array.from({ length: processes }, (_, p) =>
        pgwarden([
          "cert",
          "issue",
          "--pki",
          pki,
          "--profile",
          "client",
          "--cn-file",
          join(dir, `names-${p}.txt`),
          "--quiet",
        ]),
      ),
    );
    results.forEach((result) => assert.equal(result.code, 0, result.stderr));
    const { records, certs } = await assertConsistent(pki);
    assert.equal(certs, processes * perProcess);
    assert.equal(records, processes * perProcess + 1, "every leaf plus the CA is recorded");
  });

  test("two processes racing for the same CN: one wins, the other is refused, the pair matches", async () => {
    const pki = join(dir, "same-cn");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "dbuser_dba"]),
      ),
    );
    assert.equal(results.filter((result) => result.code === 0).length, 1, results.map((r) => r.stderr).join("\n"));
    for (const loser of results.filter((result) => result.code !== 0)) {
      assert.equal(loser.code, 2);
      assert.match(loser.stderr, /already exists|appeared while/);
    }
    const { records, certs } = await assertConsistent(pki);
    assert.equal(certs, 1);
    assert.equal(records, 2);
  });

  test("kill -9 at any moment leaves no half-written key, certificate or record", async () => {
    const pki = join(dir, "killed");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    const interrupted: number[] = [];
    for (let round = 0; round < 6; round++) {
      const names = join(dir, `kill-${round}.txt`);
      await writeNames(names, `k${round}`, 400);
      const child = spawn(
        process.execPath,
        [PGWARDEN_BIN, "cert", "issue", "--pki", pki, "--profile", "client", "--cn-file", names, "--quiet"],
        { stdio: "ignore" },
      );
      let running = true;
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on("exit", (_code, signal) => {
          running = false;
          resolve(signal);
        }),
      );
      if (round === 0) {
        // Killed while starting up, before anything is written.
        await new Promise((resolve) => setTimeout(resolve, 50));
      } else {
        // Killed mid-batch: once this round's first certificate is on disk, at a different moment each round.
        const roundFiles = async () =>
          (await readdir(join(pki, "client")).catch(() => [] as string[])).filter((name) =>
            name.startsWith(`k${round}_`),
          ).length;
        while (running && (await roundFiles()) === 0) await new Promise((resolve) => setTimeout(resolve, 2));
        await new Promise((resolve) => setTimeout(resolve, (round - 1) * 25));
      }
      child.kill("SIGKILL");
      await exited;
      await assertConsistent(pki);
      const written = (await readdir(join(pki, "client")).catch(() => [] as string[])).filter(
        (name) => name.startsWith(`k${round}_`) && name.endsWith(".crt"),
      ).length;
      if (written > 0 && written < 400) interrupted.push(written);
    }
    assert.ok(interrupted.length > 0, "at least one kill landed in the middle of a batch");
    // The next write into the folder clears the temp files the killed writers left.
    assert.equal(
      (await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "after_the_storm"])).code,
      0,
    );
    const leftovers = [...(await readdir(join(pki, "client"))), ...(await readdir(join(pki, "db", "certs")))].filter(
      (name) => name.endsWith(".tmp"),
    );
    assert.deepEqual(leftovers, []);
    const listed = await pgwarden(["--format", "json", "cert", "list", "--pki", pki]);
    assert.equal(listed.code, 0, listed.stderr);
    const entries = (JSON.parse(listed.stdout) as { certificates: { status: string; origin: string }[] }).certificates;
    assert.ok(entries.length > 1);
    // The next command finished what each kill left in its journal: every record's pair is in place.
    assert.deepEqual(
      entries.filter((entry) => entry.status !== "valid"),
      [],
      "no record shown missing after a kill",
    );
  });
});
