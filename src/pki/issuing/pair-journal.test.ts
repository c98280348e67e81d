import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import { tempPathFor } from "../../core/fs/atomic-write.js";
import { initCa } from "../authority/ca-init.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { type PkiLayout, pkiLayout } from "../pki-layout.js";
import { type CertificateRecord, readRecords } from "../records/certificate-records.js";
import { issueCertificate } from "./issue.js";
import { recoverInterruptedWrites, type StagedPair } from "./pair-journal.js";
import { PROFILES } from "./profiles.js";

let dir: string;
let layout: PkiLayout;
let ca: CertificateAuthority;
/** The pid of a process that has exited: what a killed writer's journal and temps carry. */
const deadPid = spawnSync(process.execPath, ["-e", "process.pid"]).pid;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-journal-"));
  layout = pkiLayout(join(dir, "pki"));
  ca = (await initCa(layout, { days: 30 })).ca;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

interface Files {
  readonly key: string;
  readonly cert: string;
}

/** An old pair at client/alice.{key,crt}, and a new one staged for it as a killed writer left it: temps, journal, no record. */
async function stagedReplacement(
  replace: boolean,
): Promise<{ target: Files; temps: Files; old: Files; fresh: Files; record: CertificateRecord }> {
  const alice = await issueCertificate(layout, ca, { profile: PROFILES.client, commonName: "alice", days: 5 });
  const next = await issueCertificate(layout, ca, {
    profile: PROFILES.client,
    commonName: "alice",
    group: "staging",
    days: 5,
  });
  const target = { key: alice.keyPath as string, cert: alice.certPath };
  const old = { key: readFileSync(target.key, "utf8"), cert: readFileSync(target.cert, "utf8") };
  const fresh = { key: readFileSync(next.keyPath as string, "utf8"), cert: readFileSync(next.certPath, "utf8") };
  const temps = { key: tempPathFor(target.key, deadPid), cert: tempPathFor(target.cert, deadPid) };
  writeFileSync(temps.key, fresh.key, { mode: 0o600 });
  writeFileSync(temps.cert, fresh.cert);
  const record = {
    ...next.record,
    group: "client",
    certPath: relative(layout.root, target.cert),
    keyPath: relative(layout.root, target.key),
  };
  const pair: StagedPair = {
    key: { temp: relative(layout.root, temps.key), target: relative(layout.root, target.key) },
    cert: { temp: relative(layout.root, temps.cert), target: relative(layout.root, target.cert) },
    record,
  };
  mkdirSync(layout.journalDir, { recursive: true });
  writeFileSync(
    join(layout.journalDir, `${deadPid}.0badc0ffee00.json`),
    JSON.stringify({ version: 1, replace, recordFile: "20260101T000000000Z-1-0badc0ffee00.jsonl", pairs: [pair] }),
  );
  return { target, temps, old, fresh, record };
}

function assertPair(target: Files, expected: Files): void {
  assert.equal(readFileSync(target.key, "utf8"), expected.key);
  assert.equal(readFileSync(target.cert, "utf8"), expected.cert);
  assert.ok(new X509Certificate(readFileSync(target.cert)).checkPrivateKey(createPrivateKey(readFileSync(target.key))));
}

async function assertClean(): Promise<void> {
  const left = [
    ...(await readdir(join(layout.root, "client"))),
    ...(await readdir(layout.journalDir)),
    ...(await readdir(layout.recordsDir)),
  ];
  assert.deepEqual(
    left.filter((name) => name.endsWith(".tmp") || name.endsWith(".json")),
    [],
  );
}

/** Serials recorded for client/alice.crt (the staged pair's record was first made for staging/alice.crt). */
const recordedSerials = async () =>
  (await readRecords(layout)).records
    .filter((record) => record.certPath === join("client", "alice.crt"))
    .map((record) => record.serial);

test("killed after the journal, before any rename: the next command puts in the new pair and its record", async () => {
  const { target, fresh, record } = await stagedReplacement(true);
  assert.deepEqual(await recoverInterruptedWrites(layout), { finished: 1, tempFilesRemoved: 0 });
  assertPair(target, fresh);
  assert.ok((await recordedSerials()).includes(record.serial));
  await assertClean();
});

test("killed between the key's rename and the certificate's (new key, old certificate): the next command finishes the pair", async () => {
  const { target, temps, fresh, record } = await stagedReplacement(true);
  renameSync(temps.key, target.key);
  assert.equal(
    new X509Certificate(readFileSync(target.cert)).checkPrivateKey(createPrivateKey(readFileSync(target.key))),
    false,
    "the state a kill leaves",
  );
  await recoverInterruptedWrites(layout);
  assertPair(target, fresh);
  assert.ok((await recordedSerials()).includes(record.serial));
  await assertClean();
});

test("killed after both renames, before the record: the record is written once, even by two recoveries", async () => {
  const { target, temps, fresh, record } = await stagedReplacement(true);
  renameSync(temps.key, target.key);
  renameSync(temps.cert, target.cert);
  await Promise.all([recoverInterruptedWrites(layout), recoverInterruptedWrites(layout)]);
  assertPair(target, fresh);
  assert.equal((await recordedSerials()).filter((serial) => serial === record.serial).length, 1);
  await assertClean();
});

test("killed before the journal was written: the temps go and the old pair stands", async () => {
  const { target, old, record } = await stagedReplacement(true);
  await rm(layout.journalDir, { recursive: true });
  mkdirSync(layout.journalDir);
  assert.deepEqual(await recoverInterruptedWrites(layout), { finished: 0, tempFilesRemoved: 2 });
  assertPair(target, old);
  assert.ok(!(await recordedSerials()).includes(record.serial));
  await assertClean();
});

test("without --force, a file another writer put at the certificate's name wins: the staged key is taken back, nothing recorded", async () => {
  const { target, temps, record } = await stagedReplacement(false);
  // The staged pair's names are taken: the old pair moves out, a stranger's certificate moves in.
  await rm(target.key);
  writeFileSync(target.cert, "a stranger's certificate\n");
  const keyLinked = readFileSync(temps.key, "utf8");
  await recoverInterruptedWrites(layout);
  assert.equal(readFileSync(target.cert, "utf8"), "a stranger's certificate\n");
  await assert.rejects(stat(target.key), { code: "ENOENT" });
  assert.ok(keyLinked.includes("PRIVATE KEY"));
  assert.ok(!(await recordedSerials()).includes(record.serial));
  await assertClean();
});

test("a journal of a live writer is left alone", async () => {
  const { target, old } = await stagedReplacement(true);
  renameSync(
    join(layout.journalDir, `${deadPid}.0badc0ffee00.json`),
    join(layout.journalDir, `${process.ppid}.0badc0ffee00.json`),
  );
  assert.equal((await recoverInterruptedWrites(layout)).finished, 0);
  assertPair(target, old);
  assert.deepEqual(await readdir(layout.journalDir), [`${process.ppid}.0badc0ffee00.json`]);
});
