import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, PGWARDEN_BIN, tempDir } from "./support/cli.js";

/** The real binary on a pseudo-terminal (util-linux script), as a person at a terminal runs it. */
function onTerminal(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<string> {
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, PGWARDEN_BIN, ...args].map(quote).join(" ");
  return new Promise((resolve) =>
    execFile(
      "script",
      ["-qc", command, "/dev/null"],
      { env: { ...process.env, NO_COLOR: undefined, ...env } },
      (_error, stdout) => resolve(stdout),
    ),
  );
}

interface Finding {
  id: string;
  severity: string;
  source: { file: string; line: number };
  message: string;
  fingerprint: string;
  alsoAt?: { source: { file: string; line: number } }[];
}
interface Report {
  findings: Finding[];
  suppressed: (Finding & { suppressedBy: string; reason?: string })[];
  staleBaseline: { id: string; fingerprint: string }[];
}
const report = (stdout: string) => JSON.parse(stdout) as Report;

/** One cluster, two members, one rule on intra (three CIDRs) and one from anywhere; the line numbers below are the file's. */
const INVENTORY = `all:
  children:
    pg-x:
      hosts:
        10.0.0.1: { pg_seq: 1, pg_role: primary }
        10.0.0.2: { pg_seq: 2, pg_role: replica }
      vars:
        pg_cluster: pg-x
        pg_default_hba_rules:
          - { user: '\${dbsu}', db: all, addr: local, auth: ident, title: 'dbsu' }
        pg_hba_rules:
          - { user: app, db: all, addr: intra, auth: md5, title: 'app from the intranet' }
          - { user: app, db: all, addr: world, auth: pwd, title: 'app from anywhere' }   # pgwarden:ignore wide-address behind the cloud firewall
`;

describe("hba lint for CI", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let inventory: string;
  let hba: string;
  before(async () => {
    work = await tempDir("pgwarden-hba-lint-ci-");
    inventory = join(work.dir, "pigsty.yml");
    hba = join(work.dir, "pg_hba.conf");
    await writeFile(inventory, INVENTORY);
    await writeFile(
      hba,
      ["local all postgres peer", "host all app 203.0.113.0/24 md5", "hostssl all app 10.1.0.0/16 scram-sha-256"].join(
        "\n",
      ) + "\n",
    );
  });
  after(() => work.cleanup());

  const lintInventory = (...args: string[]) =>
    pgwarden(["hba", "lint", "--inventory", inventory, "--cluster", "pg-x", "--instance", "10.0.0.1", ...args]);

  test("--inventory: one intra rule is one finding per check at its inventory line, naming its three CIDRs", async () => {
    const result = await lintInventory("--format", "json");
    assert.equal(result.code, 1, result.stderr);
    const intra = report(result.stdout).findings.filter((finding) => finding.source.line === 12);
    const ids = intra.map((finding) => finding.id);
    assert.deepEqual(ids, [...new Set(ids)], "each check once for the rule");
    const tls = intra.find((finding) => finding.id === "password-without-tls");
    assert.equal(tls?.message, "md5 from 10.0.0.0/8, 192.168.0.0/16, 172.16.0.0/12 without requiring TLS");
    assert.equal(tls?.alsoAt?.length, 2);
  });

  test("a # pgwarden:ignore comment on an inventory rule's line accepts that check there, with its reason, and the summary counts it", async () => {
    const json = report((await lintInventory("--format", "json")).stdout);
    assert.ok(!json.findings.some((finding) => finding.source.line === 13 && finding.id === "wide-address"));
    const accepted = json.suppressed.filter((finding) => finding.suppressedBy === "inline");
    assert.deepEqual(
      accepted.map((finding) => `${finding.source.line}:${finding.id}:${finding.reason}`),
      ["13:wide-address:behind the cloud firewall"],
    );
    const text = await lintInventory();
    assert.match(
      text.stdout,
      /\n\d+ rules checked: \d+ findings \([^)]*\), 1 suppressed \(1 by a pgwarden:ignore comment\)\n$/,
    );
  });

  test("--format compact: one line per finding, file:line: severity id: message; the summary on stderr; no colour in a pipe", async () => {
    const result = await pgwarden(["hba", "lint", hba, "--format", "compact"]);
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    assert.ok(lines.length >= 2);
    for (const line of lines) assert.match(line, /^.*pg_hba\.conf:\d+: (critical|high|medium|low|info) [a-z0-9-]+: \S/);
    assert.ok(
      lines.includes(`${hba}:2: high password-without-tls: md5 from 203.0.113.0/24 without requiring TLS`),
      lines.join("\n"),
    );
    assert.match(result.stderr, /rules checked: \d+ findings/);
    assert.doesNotMatch(result.stdout, /\u001b/, "a pipe gets no escapes");
  });

  test("colour: high is red on a terminal, in both layouts; not with NO_COLOR or --no-color", async () => {
    const compact = await onTerminal(["hba", "lint", hba, "--format", "compact"]);
    assert.match(compact, /pg_hba\.conf:2: \u001b\[31mhigh\u001b\[0m password-without-tls: /);
    assert.match(compact, /pg_hba\.conf:2: medium md5-deprecated/, "medium keeps its plain text");
    assert.match(await onTerminal(["hba", "lint", hba]), /\n {2}\u001b\[31mHIGH\u001b\[0m {5}password-without-tls: /);
    assert.doesNotMatch(await onTerminal(["hba", "lint", hba], { NO_COLOR: "1" }), /\u001b/);
    assert.doesNotMatch(await onTerminal(["hba", "lint", hba, "--no-color"]), /\u001b/);
  });

  test("text: why a check matters is said once, at its first finding", async () => {
    await writeFile(
      join(work.dir, "three.conf"),
      ["host all a 203.0.113.0/24 md5", "host all b 198.51.100.0/24 md5", "host all c 192.0.2.0/24 md5"].join("\n"),
    );
    const result = await pgwarden(["hba", "lint", join(work.dir, "three.conf")]);
    const whys = result.stdout
      .split("\n")
      .filter((line) => line.trim().startsWith("why: a host or hostnossl rule accepts unencrypted sessions"));
    assert.equal(whys.length, 1, result.stdout);
    assert.equal(result.stdout.split("\n").filter((line) => line.includes("password-without-tls:")).length, 3);
  });

  test("--list-checks: every check's id, severity and title, in text and in JSON, without a source", async () => {
    const text = await pgwarden(["hba", "lint", "--list-checks"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^trust-from-network +critical +trust over TCP from beyond this host$/m);
    assert.match(text.stdout, /^parse-error +high +/m);
    const json = JSON.parse((await pgwarden(["hba", "lint", "--list-checks", "--format", "json"])).stdout) as {
      checks: { id: string; severity: string; title: string }[];
    };
    assert.equal(json.checks.length, text.stdout.trimEnd().split("\n").length);
    assert.ok(json.checks.every((check) => check.id && check.severity && check.title));
  });

  test("--ignore: a known check is not counted (exit 0 when it was the only one at --fail-on); an unknown one is exit 2 naming the valid ones", async () => {
    const ignored = await pgwarden([
      "hba",
      "lint",
      hba,
      "--ignore",
      "password-without-tls",
      "--ignore",
      "md5-deprecated",
      "--fail-on",
      "high",
    ]);
    assert.equal(ignored.code, 0, ignored.stdout);
    assert.match(ignored.stdout, /suppressed \(\d+ by --ignore\)/);
    const unknown = await pgwarden(["hba", "lint", hba, "--ignore", "md5-deprected"]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, "");
    assert.equal(unknown.stderr.trimEnd().split("\n").length, 1);
    assert.match(
      unknown.stderr,
      /--ignore md5-deprected: no such check; checks are trust-from-network, .*md5-deprecated.*parse-error/,
    );
  });

  test("--write-baseline then --baseline: accepted findings stop failing, survive moved lines, new ones fail, fixed ones are reported stale", async () => {
    const file = join(work.dir, "baseline.conf");
    const baseline = join(work.dir, "hba-baseline.json");
    await writeFile(file, ["local all postgres peer", "host all app 203.0.113.0/24 md5"].join("\n"));
    const written = await pgwarden(["hba", "lint", file, "--write-baseline", baseline]);
    assert.equal(written.code, 0, written.stdout);
    assert.match(written.stderr, /wrote \d+ findings to the baseline/);
    assert.match(await readFile(baseline, "utf8"), /"fingerprint": "[0-9a-f]{16}"/);
    // Rules move down: still accepted.
    await writeFile(file, ["# moved", "", "local all postgres peer", "host  all  app  203.0.113.0/24  md5"].join("\n"));
    const moved = await pgwarden(["hba", "lint", file, "--baseline", baseline]);
    assert.equal(moved.code, 0, moved.stdout);
    assert.match(moved.stdout, /no findings, \d+ suppressed \(\d+ in the baseline\)/);
    // A new risky rule fails, alone.
    await writeFile(
      file,
      ["local all postgres peer", "host all app 203.0.113.0/24 md5", "host all all 198.51.100.0/24 trust"].join("\n"),
    );
    const added = report((await pgwarden(["hba", "lint", file, "--baseline", baseline, "--format", "json"])).stdout);
    assert.ok(
      added.findings.length > 0 && added.findings.every((finding) => finding.source.line === 3),
      JSON.stringify(added.findings),
    );
    // The accepted rule fixed: its entries are stale (info), exit 0.
    await writeFile(file, ["local all postgres peer", "hostssl all app 203.0.113.0/24 scram-sha-256"].join("\n"));
    const fixed = await pgwarden(["hba", "lint", file, "--baseline", baseline]);
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.match(fixed.stdout, /INFO +baseline-stale: .*md5-deprecated .* matches no finding/);
    assert.match(fixed.stdout, /baseline entries stale/);
    // A --format json report serves as a baseline too.
    await writeFile(file, ["local all postgres peer", "host all app 203.0.113.0/24 md5"].join("\n"));
    const reportFile = join(work.dir, "report.json");
    await writeFile(reportFile, (await pgwarden(["hba", "lint", file, "--format", "json"])).stdout);
    assert.equal((await pgwarden(["hba", "lint", file, "--baseline", reportFile])).code, 0);
  });

  test("--baseline and --write-baseline refuse what is not a baseline, with one line and nothing written", async () => {
    const notOurs = join(work.dir, "notes.json");
    await writeFile(notOurs, "my notes\n");
    const refused = await pgwarden(["hba", "lint", hba, "--write-baseline", notOurs]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /a file that is not a pgwarden baseline is there/);
    assert.equal(await readFile(notOurs, "utf8"), "my notes\n");
    const bad = await pgwarden(["hba", "lint", hba, "--baseline", notOurs]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /notes\.json: not a baseline/);
    const missing = await pgwarden(["hba", "lint", hba, "--baseline", join(work.dir, "none.json")]);
    assert.equal(missing.code, 4);
  });

  test("SARIF keeps each check's why once, in the driver's rules, and marks accepted results with suppressions", async () => {
    const sarif = JSON.parse(
      (await pgwarden(["hba", "lint", hba, "--format", "sarif", "--ignore", "md5-deprecated"])).stdout,
    ) as {
      runs: {
        tool: { driver: { rules: { id: string; fullDescription: { text: string } }[] } };
        results: { ruleId: string; message: { text: string }; suppressions?: { kind: string }[] }[];
      }[];
    };
    const [run] = sarif.runs;
    assert.ok(run);
    assert.ok(run.tool.driver.rules.every((rule) => rule.fullDescription.text.length > 0));
    assert.ok(run.results.every((result) => !result.message.text.includes("why")));
    assert.deepEqual(
      run.results
        .filter((result) => result.suppressions)
        .map((result) => `${result.ruleId}:${result.suppressions?.[0]?.kind}`),
      ["md5-deprecated:external"],
    );
  });
});
