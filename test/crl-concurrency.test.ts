/*
 * CRL numbers and revocations under concurrent processes and kill -9, through the real CLI:
 * numbers are never reused, the state file holds the highest, files are always whole, and two
 * revocations at once both reach the CRL.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { combinedCrlPath, issuerFiles } from "../src/pki/authority/issuers.js";
import { decodePemBlocks } from "../src/pki/encoding/pem.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { crlInfo, crlInfoOfPem } from "../src/pki/revocation/crl-info.js";
import { crlNumberPath } from "../src/pki/revocation/crl-number.js";
import { parseRevocationList } from "../src/pki/verify/revocation-list.js";
import { pgwarden, PGWARDEN_BIN, tempDir } from "./support/cli.js";
import { emptyHome } from "./support/empty-home.js";
import { opensslIntermediate } from "./support/openssl-intermediate.js";

let work: { dir: string; cleanup: () => Promise<void> };
let pki: string;
const ISSUERS = ["ca", "client"];

before(async () => {
  work = await tempDir("pgwarden-crl-concurrency-");
  pki = join(work.dir, "pki");
  assert.equal((await pgwarden(["--pki", pki, "ca", "init"])).code, 0);
  opensslIntermediate(pkiLayout(pki), "client");
});

after(() => work?.cleanup());

/** The number of each issuer's CRL on disk, asserting each file (and the combined one) is a whole CRL. */
async function numbersOnDisk(): Promise<Map<string, number>> {
  const layout = pkiLayout(pki);
  const numbers = new Map<string, number>();
  for (const name of ISSUERS) {
    const text = await readFile(issuerFiles(layout, name).crlPath, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const info = crlInfoOfPem(text);
    assert.ok(info?.number !== undefined, `${name}.crl is a whole CRL:\n${text}`);
    numbers.set(name, info.number);
    const state = await readFile(crlNumberPath(layout, name), "utf8");
    assert.match(state, /^[0-9]+\n$/, `${name}.number is whole`);
    assert.ok(Number(state) >= info.number, "the stored number is never behind the CRL's");
  }
  const combined = await readFile(combinedCrlPath(layout), "utf8").catch(() => undefined);
  if (combined !== undefined)
    for (const block of decodePemBlocks(combined))
      assert.doesNotThrow(() => crlInfo(block.der), "combined.crl is whole");
  return numbers;
}

test("six pgwarden crl at once: six distinct numbers per issuer, and the files on disk hold the highest", async () => {
  const runs = await Promise.all(
    Array.from({ length: 6 }, () => pgwarden(["--pki", pki, "crl", "--format", "json"], { timeoutMs: 120_000 })),
  );
  const numbers = new Map<string, number[]>(ISSUERS.map((name) => [name, []]));
  for (const run of runs) {
    assert.equal(run.code, 0, run.stderr);
    const document = JSON.parse(run.stdout) as { crls: { issuer: string; number: number }[] };
    for (const crl of document.crls) numbers.get(crl.issuer)?.push(crl.number);
  }
  const onDisk = await numbersOnDisk();
  for (const name of ISSUERS) {
    const given = numbers.get(name) ?? [];
    assert.equal(new Set(given).size, 6, `${name}: ${given.join(", ")}`);
    assert.equal(onDisk.get(name), Math.max(...given), `${name}.crl holds the highest number`);
    assert.equal(Number(await readFile(crlNumberPath(pkiLayout(pki), name), "utf8")), Math.max(...given));
  }
});

/** Starts `pgwarden crl` and kills it with SIGKILL after `delayMs`, or lets it finish first. */
function runAndKill(delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PGWARDEN_BIN, "--pki", pki, "crl", "--quiet"], {
      env: { ...process.env, HOME: emptyHome(), PGWARDEN_CA_PASSPHRASE: undefined },
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test("pgwarden crl killed with SIGKILL at random instants: files stay whole, and the next run's numbers exceed every number ever written", async () => {
  const highest = new Map<string, number>(await numbersOnDisk());
  // Instants spread over a run's life (start-up, key loading, the number, the CRL, the combined file).
  for (let round = 0; round < 30; round++) {
    await runAndKill(Math.floor(Math.random() * 300));
    for (const [name, number] of await numbersOnDisk()) highest.set(name, Math.max(highest.get(name) ?? 0, number));
  }
  const final = await pgwarden(["--pki", pki, "crl", "--format", "json"]);
  assert.equal(final.code, 0, final.stderr);
  const document = JSON.parse(final.stdout) as { crls: { issuer: string; number: number }[] };
  for (const crl of document.crls)
    assert.ok(crl.number > (highest.get(crl.issuer) ?? 0), `${crl.issuer}: ${crl.number} > ${highest.get(crl.issuer)}`);
  await numbersOnDisk();
  // What the killed writers left (temp files, locks of dead pids) is gone after a run.
  const layout = pkiLayout(pki);
  for (const dir of [layout.crlDir, layout.crlStateDir])
    assert.deepEqual(
      (await readdir(dir)).filter(
        (name) => name.endsWith(".tmp") || name.endsWith(".lock") || name.includes(".stale."),
      ),
      [],
      dir,
    );
});

test("four cert revoke at once, of four certificates: every revocation is recorded and the newest CRL lists all four", async () => {
  const names = ["r1", "r2", "r3", "r4"];
  for (const name of names)
    assert.equal((await pgwarden(["--pki", pki, "cert", "issue", "--profile", "client", "--cn", name])).code, 0);
  const runs = await Promise.all(
    names.map((name) => pgwarden(["--pki", pki, "cert", "revoke", "--cn", name, "--format", "json"])),
  );
  const serials = runs.map((run) => {
    assert.equal(run.code, 0, run.stderr);
    return (JSON.parse(run.stdout) as { serial: string }).serial;
  });
  const layout = pkiLayout(pki);
  assert.equal((await readdir(layout.revocationsDir)).filter((name) => name.endsWith(".json")).length, 4);
  // Client-profile leaves come from the client intermediate: its CRL lists them.
  const crl = parseRevocationList(
    decodePemBlocks(await readFile(issuerFiles(layout, "client").crlPath, "utf8"))[0]?.der ?? Buffer.alloc(0),
  );
  for (const serial of serials) assert.ok(crl.revoked.has(serial), `${serial} is in the CRL`);
  const combined = await readFile(combinedCrlPath(layout), "utf8");
  assert.ok(
    combined.includes(await readFile(issuerFiles(layout, "client").crlPath, "utf8")),
    "combined holds the newest",
  );
});
