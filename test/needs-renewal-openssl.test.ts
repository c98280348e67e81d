/*
 * cert needs-renewal against OpenSSL's own answer: certificates made by openssl with chosen
 * validities, times thresholds; `openssl x509 -checkend N` says whether the certificate expires
 * within N seconds, which is what "due" means. Each case goes through both.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";

const HOUR = 3600;
const DAY = 24 * HOUR;
const VALIDITY_DAYS = [1, 10, 90, 365];
/** Each threshold as the flags give it, and as seconds for a lifetime (checkend's N). */
const THRESHOLDS: { flags: string[]; seconds: (lifetime: number) => number }[] = [
  { flags: ["--before", "12h"], seconds: () => 12 * HOUR },
  { flags: ["--before", "2d"], seconds: () => 2 * DAY },
  { flags: ["--before", "30d"], seconds: () => 30 * DAY },
  { flags: ["--before", "100d"], seconds: () => 100 * DAY },
  { flags: ["--before", "2w"], seconds: () => 14 * DAY },
  { flags: ["--before-percent", "10"], seconds: (lifetime) => Math.floor(lifetime * 0.1) },
  { flags: ["--before-percent", "50"], seconds: (lifetime) => Math.floor(lifetime * 0.5) },
  { flags: ["--before-percent", "99"], seconds: (lifetime) => Math.floor(lifetime * 0.99) },
  { flags: [], seconds: (lifetime) => Math.floor(lifetime / 3) },
];

describe("cert needs-renewal decides as openssl x509 -checkend", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  const files = new Map<number, string>();
  before(async () => {
    work = await tempDir();
    for (const days of VALIDITY_DAYS) {
      const file = join(work.dir, `${days}d.crt`);
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          join(work.dir, `${days}d.key`),
          "-out",
          file,
          "-days",
          String(days),
          "-subj",
          `/CN=valid-${days}d`,
        ],
        { stdio: "ignore" },
      );
      files.set(days, file);
    }
  });
  after(() => work?.cleanup());

  for (const days of VALIDITY_DAYS)
    for (const threshold of THRESHOLDS)
      test(`${days}-day certificate, ${threshold.flags.join(" ") || "default (a third of the lifetime)"}`, async () => {
        const file = files.get(days) as string;
        const certificate = new X509Certificate(readFileSync(file));
        const lifetime = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / 1000;
        const checkend = spawnSync("openssl", [
          "x509",
          "-in",
          file,
          "-noout",
          "-checkend",
          String(threshold.seconds(lifetime)),
        ]);
        const opensslDue = checkend.status === 1;
        const ours = await pgwarden(["cert", "needs-renewal", file, ...threshold.flags]);
        assert.equal(ours.code, opensslDue ? 0 : 1, `pgwarden says: ${ours.stderr}`);
        assert.match(ours.stderr, new RegExp(`renewal ${opensslDue ? "due" : "not due"}: notAfter .*(left|ago), `));
        const quiet = await pgwarden(["cert", "needs-renewal", file, "--quiet", ...threshold.flags]);
        assert.equal(quiet.code, ours.code);
        assert.equal(quiet.stderr + quiet.stdout, "", "--quiet prints nothing");
      });

  test("bad input is exit 2 with one line, a missing file exit 4", async () => {
    const bad = await pgwarden(["cert", "needs-renewal", files.get(1) as string, "--before", "30"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--before must be a duration/);
    const percent = await pgwarden(["cert", "needs-renewal", files.get(1) as string, "--before-percent", "100"]);
    assert.equal(percent.code, 2);
    const missing = await pgwarden(["cert", "needs-renewal", join(work.dir, "nope.crt")]);
    assert.equal(missing.code, 4);
    assert.equal(missing.stderr.trim().split("\n").length, 1);
    const notPem = await pgwarden(["cert", "needs-renewal", join(work.dir, "1d.key")]);
    assert.equal(notPem.code, 2, notPem.stderr);
  });
});
