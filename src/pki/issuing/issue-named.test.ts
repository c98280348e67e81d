import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { initCa } from "../authority/ca-init.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { type PkiLayout, pkiLayout } from "../pki-layout.js";
import { issueNamed } from "./issue-named.js";
import { PROFILES } from "./profiles.js";

let dir: string;
let layout: PkiLayout;
let ca: CertificateAuthority;
const now = new Date();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-issue-named-"));
  layout = pkiLayout(join(dir, "pki"));
  ca = (await initCa(layout, { days: 30, now })).ca;
});
after(() => rm(dir, { recursive: true, force: true }));

/** The CA as a caller hands it over, counting how often it was asked for. */
function countingCa() {
  const asked = { times: 0 };
  return { asked, signingCa: () => ((asked.times += 1), Promise.resolve(ca)) };
}

test("a --cn-file with a bad name fails at its file:line before the CA (and its passphrase) is asked for", async () => {
  const file = join(dir, "bad.txt");
  await writeFile(file, "# clients\nalice\n\npg_monitor\nbob\n");
  const { asked, signingCa } = countingCa();
  await assert.rejects(
    issueNamed(layout, { profile: PROFILES.client, cnFile: file }, { signingCa, now }),
    (error: Error) => error.message.startsWith(`${file}:4: `) && /pg_/.test(error.message),
  );
  assert.equal(asked.times, 0);
});

test("a --cn-file issues each name once; run again, it skips the intact pairs and issues only what is new", async () => {
  const file = join(dir, "names.txt");
  await writeFile(file, "carol\r\n# a comment\ndave\n");
  const first = await issueNamed(layout, { profile: PROFILES.client, cnFile: file }, { ...countingCa(), now });
  assert.deepEqual(
    first.issued.map((result) => result.record.commonName),
    ["carol", "dave"],
  );
  await writeFile(file, "carol\ndave\nerin\n");
  const second = await issueNamed(layout, { profile: PROFILES.client, cnFile: file }, { ...countingCa(), now });
  assert.deepEqual(
    second.issued.map((result) => result.record.commonName),
    ["erin"],
  );
  assert.deepEqual(
    second.skipped.map((result) => result.record.commonName),
    ["carol", "dave"],
  );
  for (const result of [...first.issued, ...second.issued]) {
    execFileSync("openssl", ["verify", "-CAfile", layout.caCert, "-purpose", "sslclient", result.certPath]);
  }
});

test("one --cn issues one certificate, its warnings returned once; an empty --cn-file is refused", async () => {
  const single = await issueNamed(
    layout,
    { profile: PROFILES.server, commonName: "db1.example.com", subjectAltNames: ["10.0.0.1"] },
    { ...countingCa(), now },
  );
  assert.equal(single.issued.length, 1);
  assert.equal(single.skipped.length, 0);
  assert.deepEqual(single.warnings, single.issued[0]?.warnings);
  const empty = join(dir, "empty.txt");
  await writeFile(empty, "\n# nothing\n");
  await assert.rejects(
    issueNamed(layout, { profile: PROFILES.client, cnFile: empty }, { ...countingCa(), now }),
    /has no names/,
  );
});
