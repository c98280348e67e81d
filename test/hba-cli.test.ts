import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { GOLDEN_CASES as cases, normalizeRendered as normalize } from "./fixtures/pigsty/golden.js";
import { type CliResult, pgwarden, REPO_ROOT, snapshot, tempDir } from "./support/cli.js";
import { type Cluster, startCluster } from "./support/pg-cluster.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "pigsty");
const TRIO = join(FIXTURES, "trio.yml");
const SAFE = join(FIXTURES, "safe.yml");

/** A failure as the house rules want it: one line on stderr with the code's meaning, nothing on stdout, no stack. */
function assertOneLineError(result: CliResult, code: number, message: RegExp): void {
  assert.equal(result.code, code, `exit ${result.code}, stderr: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got: ${result.stderr}`);
  assert.match(lines[0] ?? "", message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.equal(result.stdout, "", "nothing on stdout");
}

interface JsonFinding {
  id: string;
  severity: string;
  source: { file: string; line: number };
  rule: string;
  message: string;
  why: string;
  fix: string;
}

interface LintReport {
  source: string;
  rulesChecked: number;
  context: { superusers: string[]; ssl?: boolean; identMaps?: string[] };
  findings: JsonFinding[];
}

const lintJson = (result: CliResult) => JSON.parse(result.stdout) as LintReport;
const where = (findings: readonly JsonFinding[]) => findings.map((finding) => `${finding.source.line}:${finding.id}`);

/** The line of the fixture that contains `text` (1-based), to check a finding points at the inventory. */
async function lineOf(file: string, text: string): Promise<number> {
  const index = (await readFile(file, "utf8")).split("\n").findIndex((line) => line.includes(text));
  assert.ok(index >= 0, `${file} has ${text}`);
  return index + 1;
}

describe("hba render", () => {
  // Every golden case is checked against the library in src/hba/render/golden.test.ts; here the
  // CLI's wiring is: a pg file, and a pgbouncer file for an instance named by its address.
  const wiring = cases.filter(
    ([, , , , golden]) => golden === "default.pg-meta-1.pg_hba.conf" || golden === "default.pg-meta-3.pgb_hba.conf",
  );
  test("the CLI's golden cases are there", () => assert.equal(wiring.length, 2));
  for (const [inventory, cluster, instance, target, golden] of wiring) {
    test(`${inventory} ${cluster} ${instance} --target ${target} prints what Pigsty renders (${golden})`, async () => {
      const result = await pgwarden([
        "hba",
        "render",
        "--inventory",
        join(FIXTURES, inventory),
        "--cluster",
        cluster,
        "--instance",
        instance,
        "--target",
        target,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const expected = normalize(await readFile(join(FIXTURES, golden), "utf8"));
      assert.ok(expected.length > 10, "the golden file has rules");
      assert.deepEqual(normalize(result.stdout), expected);
      assert.match(result.stdout, target === "pg" ? /# File {6}: {3}pg_hba\.conf/ : /# File {6}: {3}pgb_hba\.conf/);
    });
  }

  test("warnings go to stderr, the file alone to stdout", async () => {
    const result = await pgwarden([
      "hba",
      "render",
      "--inventory",
      SAFE,
      "--cluster",
      "pg-meta",
      "--instance",
      "pg-meta-1",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^pgwarden: warning: .*safe\.yml:30: pg_default_hba_rules\[2\] .*auth ssl asks for TLS/m,
    );
    assert.doesNotMatch(result.stdout, /warning/);
    assert.match(result.stdout, /^#={62}#\n/);
  });

  test("without --instance on a cluster of several members, render warns (as lint and explain do) that role-specific rules are left out", async () => {
    const clusterLevel = await pgwarden(["hba", "render", "--inventory", TRIO, "--cluster", "pg-test"]);
    assert.equal(clusterLevel.code, 0, clusterLevel.stderr);
    assert.match(
      clusterLevel.stderr,
      /^pgwarden: warning: no --instance: the rules are pg-test's as a whole, so every rule for one pg_role is left out; give --instance/m,
    );
    assert.doesNotMatch(clusterLevel.stdout, /warning/);
    const lint = await pgwarden(["hba", "lint", "--inventory", TRIO, "--cluster", "pg-test", "--fail-on", "critical"]);
    assert.ok(
      lint.stderr.includes(clusterLevel.stderr.split("\n").find((line) => line.includes("no --instance")) ?? "?"),
      "the same words as lint",
    );
    const oneInstance = await pgwarden([
      "hba",
      "render",
      "--inventory",
      TRIO,
      "--cluster",
      "pg-test",
      "--instance",
      "pg-test-1",
    ]);
    assert.doesNotMatch(oneInstance.stderr, /no --instance/);
  });

  test("--format json: one document with every rule, inactive ones marked, each with its inventory line", async () => {
    const result = await pgwarden([
      "hba",
      "render",
      "--inventory",
      TRIO,
      "--cluster",
      "pg-test",
      "--instance",
      "pg-test-2",
      "--format",
      "json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const doc = JSON.parse(result.stdout) as {
      target: string;
      cluster: string;
      instance: { host: string; name: string };
      pgRole: string;
      text: string;
      rules: {
        line: string;
        active: boolean;
        role: string;
        fileLine: number;
        source?: { file: string; line: number };
        title?: string;
      }[];
    };
    assert.deepEqual(
      [doc.target, doc.cluster, doc.instance.host, doc.instance.name, doc.pgRole],
      ["pg", "pg-test", "10.10.10.22", "pg-test-2", "replica"],
    );
    const lines = doc.text.split("\n");
    const inactive = doc.rules.filter((rule) => !rule.active);
    assert.deepEqual(
      [...new Set(inactive.map((rule) => rule.role))].sort(),
      ["offline", "primary", "standby"],
      "a replica's rules for other roles are off",
    );
    for (const rule of doc.rules)
      assert.equal(
        lines[rule.fileLine - 1],
        `${rule.active ? "" : "#"}${rule.line}`,
        `line ${rule.fileLine} holds the rule`,
      );
    const grafana = doc.rules.find((rule) => rule.title === "allow grafana view access");
    assert.deepEqual(grafana?.source, { file: TRIO, line: await lineOf(TRIO, "allow grafana view access") });
    assert.equal(grafana?.active, false);
    assert.match(lines[(grafana?.fileLine ?? 0) - 2] ?? "", /\[primary\] \[DISABLED\]$/);
  });

  describe("bad input: one line on stderr, the right exit code, nothing on stdout", () => {
    let work: { dir: string; cleanup: () => Promise<void> };
    before(async () => {
      work = await tempDir("pgwarden-hba-render-");
    });
    after(() => work.cleanup());

    const inventoryWith = async (name: string, rule: string) => {
      const file = join(work.dir, name);
      await writeFile(
        file,
        `all:\n  children:\n    pg-x:\n      hosts:\n        10.0.0.1: { pg_seq: 1, pg_role: primary }\n      vars:\n        pg_cluster: pg-x\n        pg_hba_rules:\n          - ${rule}\n`,
      );
      return file;
    };

    test("missing --cluster is a usage error (2)", async () => {
      assertOneLineError(
        await pgwarden(["hba", "render", "--inventory", TRIO]),
        2,
        /required option '--cluster <name>'/,
      );
    });
    test("an unknown cluster is not found (4)", async () => {
      assertOneLineError(
        await pgwarden(["hba", "render", "--inventory", TRIO, "--cluster", "pg-nope"]),
        4,
        /no cluster "pg-nope" in .*trio\.yml: clusters are pg-meta, pg-test/,
      );
    });
    test("an unknown instance is not found (4)", async () => {
      assertOneLineError(
        await pgwarden(["hba", "render", "--inventory", TRIO, "--cluster", "pg-meta", "--instance", "10.9.9.9"]),
        4,
        /no instance "10\.9\.9\.9" in cluster pg-meta/,
      );
    });
    test("a missing inventory is not found (4)", async () => {
      assertOneLineError(
        await pgwarden(["hba", "render", "--inventory", join(work.dir, "none.yml"), "--cluster", "pg-x"]),
        4,
        /inventory .*none\.yml does not exist/,
      );
    });
    test("an unknown --target is a usage error (2)", async () => {
      assertOneLineError(
        await pgwarden(["hba", "render", "--inventory", TRIO, "--cluster", "pg-meta", "--target", "pgpool"]),
        2,
        /--target.*pgpool/,
      );
    });
    test("an unknown address alias is invalid config (3) naming file:line and the rule", async () => {
      const file = await inventoryWith(
        "alias.yml",
        "{ user: app, db: app, addr: nowhere, auth: pwd, title: 'app from nowhere' }",
      );
      assertOneLineError(
        await pgwarden(["hba", "render", "--inventory", file, "--cluster", "pg-x"]),
        3,
        /alias\.yml:9: all\.children\.pg-x\.vars\.pg_hba_rules\[0\]\.addr: invalid addr "nowhere"/,
      );
    });
    test("an unknown auth is invalid config (3) naming file:line and the rule", async () => {
      const file = await inventoryWith(
        "auth.yml",
        "{ user: app, db: app, addr: intra, auth: magic, title: 'magic auth' }",
      );
      assertOneLineError(
        await pgwarden(["hba", "render", "--inventory", file, "--cluster", "pg-x"]),
        3,
        /auth\.yml:9: all\.children\.pg-x\.vars\.pg_hba_rules\[0\]\.auth: unsupported auth "magic"/,
      );
    });
    test("a bad address is invalid config (3) naming file:line and the rule", async () => {
      const file = await inventoryWith(
        "cidr.yml",
        "{ user: app, db: app, addr: '10.0.0.0/33', auth: pwd, title: 'bad mask' }",
      );
      assertOneLineError(
        await pgwarden(["hba", "render", "--inventory", file, "--cluster", "pg-x"]),
        3,
        /cidr\.yml:9: .*10\.0\.0\.0\/33/,
      );
    });
    test("an inventory that is not valid is invalid config (3) with file:line", async () => {
      const file = join(work.dir, "broken.yml");
      await writeFile(
        file,
        "all:\n  children:\n    pg-x:\n      hosts:\n        10.0.0.1: { pg_seq: one, pg_role: primary }\n      vars: { pg_cluster: pg-x }\n",
      );
      assertOneLineError(
        await pgwarden(["hba", "render", "--inventory", file, "--cluster", "pg-x"]),
        3,
        /broken\.yml:5: .*pg_seq/,
      );
    });
  });
});

describe("hba lint", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let risky: string;
  let noCritical: string;
  let identFile: string;

  /** Known problems, one per line (line 1 is fine). */
  const RISKY = [
    "local all all peer",
    "hostssl app app 10.1.2.0/24 cert",
    "hostssl app app 10.1.2.7/32 cert", // 3: shadowed by 2
    "hostssl app app 10.1.2.0/24 cert", // 4: duplicate of 2
    "hostssl all app 10.0.0.0/24 password", // 5: cleartext password (high)
    "host all all 10.0.0.0/33 md5", // 6: PostgreSQL refuses the file (high)
    "hostssl all app 10.9.0.0/24 cert map=omicron", // 7: map unknown to the ident file
    "hostssl all boss 10.8.0.0/24 scram-sha-256", // 8: a superuser only when told
  ];
  const TRUST = "host all all 192.168.7.0/24 trust"; // 9 in the risky file: critical

  before(async () => {
    work = await tempDir("pgwarden-hba-lint-");
    risky = join(work.dir, "risky.conf");
    noCritical = join(work.dir, "no-critical.conf");
    identFile = join(work.dir, "pg_ident.conf");
    await writeFile(risky, `${[...RISKY, TRUST].join("\n")}\n`);
    await writeFile(noCritical, `${RISKY.join("\n")}\n`);
    await writeFile(identFile, "# MAP SYSTEM PG\nother  alice  alice\n");
  });
  after(() => work.cleanup());

  test("an empty or comment-only file is a finding (PostgreSQL refuses to load it), exit 1", async () => {
    for (const [name, text] of [
      ["empty.conf", ""],
      ["comments.conf", "# nothing but a comment\n\n"],
    ] as const) {
      const path = join(work.dir, name);
      await writeFile(path, text);
      const result = await pgwarden(["hba", "lint", path, "--format", "json"]);
      assert.equal(result.code, 1, result.stderr);
      const report = JSON.parse(result.stdout) as { findings: { id: string; message: string }[] };
      assert.deepEqual(
        report.findings.map((finding) => finding.id),
        ["parse-error"],
      );
      assert.match(report.findings[0]?.message ?? "", /contains no entries, so PostgreSQL refuses to load it/);
    }
  });

  test("JSON and SARIF stay valid JSON with a bidi override in the file, and keep it as it is; text shows it escaped", async () => {
    const path = join(work.dir, "bidi.conf");
    await writeFile(path, "host all all 0.0.0.0/0 trust # \u202e hidden\n");
    const json = await pgwarden(["hba", "lint", path, "--format", "json"]);
    const report = JSON.parse(json.stdout) as { findings: { rule: string }[] };
    assert.ok(report.findings.length > 0);
    assert.equal(report.findings[0]?.rule, "host all all 0.0.0.0/0 trust # \u202e hidden");
    assert.ok(!json.stdout.includes("\u202e") && json.stdout.includes("\\u202e"), "written as a JSON escape, not raw");
    const sarif = await pgwarden(["hba", "lint", path, "--format", "sarif"]);
    assert.doesNotThrow(() => JSON.parse(sarif.stdout), "SARIF parses");
    const text = await pgwarden(["hba", "lint", path]);
    assert.ok(text.stdout.includes("trust # \\u{202E} hidden"), text.stdout);
  });

  test("a file with known problems: each finding's id at its line, exit 1 at the default --fail-on high", async () => {
    const result = await pgwarden(["hba", "lint", risky, "--format", "json", "--ident-file", identFile]);
    assert.equal(result.code, 1, result.stderr);
    const report = lintJson(result);
    assert.equal(report.source, risky);
    assert.equal(report.rulesChecked, 8, "line 6 is not a rule");
    const found = where(report.findings);
    for (const expected of [
      "3:shadowed-rule",
      "4:duplicate-rule",
      "5:password-cleartext",
      "6:parse-error",
      "7:unknown-ident-map",
      "9:trust-from-network",
    ]) {
      assert.ok(found.includes(expected), `${expected} in ${found.join(" ")}`);
    }
    assert.ok(
      !found.includes("8:superuser-without-cert"),
      "boss is not a superuser unless the server or --superuser says so",
    );
    assert.ok(!found.some((entry) => entry.endsWith("hostssl-while-ssl-off")), "ssl unknown: no guess");
    assert.ok(
      report.findings.every(
        (finding) => finding.source.file === risky && finding.why.length > 20 && finding.fix.length > 5,
      ),
    );
    const parseError = report.findings.find((finding) => finding.id === "parse-error");
    assert.equal(parseError?.severity, "high");
    assert.match(parseError?.message ?? "", /invalid CIDR mask in address "10\.0\.0\.0\/33"/);
    assert.equal(report.findings.find((finding) => finding.id === "trust-from-network")?.severity, "critical");
  });

  test("--fail-on critical: exit 0 when nothing is critical, 1 when something is", async () => {
    const calm = await pgwarden(["hba", "lint", noCritical, "--fail-on", "critical"]);
    assert.equal(calm.code, 0, calm.stderr);
    assert.match(
      calm.stdout,
      /5: hostssl all app 10\.0\.0\.0\/24 password\n {2}HIGH {5}password-cleartext: /,
      "the findings are still reported",
    );
    assert.equal(
      (await pgwarden(["hba", "lint", noCritical])).code,
      1,
      "high findings fail the default --fail-on high",
    );
    assert.equal((await pgwarden(["hba", "lint", risky, "--fail-on", "critical"])).code, 1);
  });

  test("lint's --ssl is refused with the name of its replacement, --server-ssl on|off (explain's --tls is the client's TLS)", async () => {
    for (const old of [["--ssl", "off"], ["--ssl"]]) {
      assertOneLineError(
        await pgwarden(["hba", "lint", noCritical, ...old]),
        2,
        /--ssl is no longer accepted here: use --server-ssl on\|off for the server's ssl setting/,
      );
    }
    const help = await pgwarden(["hba", "lint", "--help"]);
    assert.match(help.stdout, /--server-ssl <on\|off> +with FILE: the server's ssl setting/);
  });

  test("offline context: --superuser and --server-ssl off make their checks work without a server", async () => {
    const result = await pgwarden([
      "hba",
      "lint",
      noCritical,
      "--format",
      "json",
      "--superuser",
      "boss",
      "--superuser",
      "postgres",
      "--server-ssl",
      "off",
      "--fail-on",
      "critical",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const report = lintJson(result);
    assert.deepEqual(report.context.superusers, ["boss", "postgres"]);
    const found = where(report.findings);
    assert.ok(found.includes("8:superuser-without-cert"), found.join(" "));
    for (const line of [2, 3, 4, 5, 7, 8])
      assert.ok(found.includes(`${line}:hostssl-while-ssl-off`), `line ${line}: ${found.join(" ")}`);
    assert.ok(!found.includes("7:unknown-ident-map"), "no ident file: the maps are unknown, not missing");
  });

  test("text output: file:line, the rule, severity, id, why and fix", async () => {
    const result = await pgwarden(["hba", "lint", risky, "--ident-file", identFile]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      new RegExp(
        `${risky.replaceAll(".", "\\.")}:9: host all all 192\\.168\\.7\\.0/24 trust\\n {2}CRITICAL trust-from-network: .*\\n {11}why: .*\\n {11}fix: `,
      ),
    );
    assert.match(result.stdout, /:6\n {2}HIGH {5}parse-error: invalid CIDR mask/);
    assert.match(result.stdout, /8 rules checked: \d+ findings \(.*1 critical/);
  });

  test("--format sarif: a SARIF 2.1.0 log whose results name their rules and locations", async () => {
    const result = await pgwarden(["hba", "lint", risky, "--format", "sarif", "--ident-file", identFile]);
    assert.equal(result.code, 1, result.stderr);
    const sarif = JSON.parse(result.stdout) as {
      version: string;
      $schema: string;
      runs: {
        tool: {
          driver: { name: string; version: string; rules: { id: string; shortDescription: { text: string } }[] };
        };
        results: {
          ruleId: string;
          level: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    assert.equal(sarif.version, "2.1.0");
    assert.match(sarif.$schema, /sarif-2\.1\.0/);
    assert.equal(sarif.runs.length, 1);
    const [run] = sarif.runs;
    assert.equal(run?.tool.driver.name, "pgwarden");
    assert.match(run?.tool.driver.version ?? "", /^\d+\.\d+\.\d+/);
    const ruleIds = new Set(run?.tool.driver.rules.map((rule) => rule.id));
    for (const id of ["trust-from-network", "shadowed-rule", "duplicate-rule", "parse-error", "unknown-ident-map"])
      assert.ok(ruleIds.has(id), `${id} is described`);
    assert.ok(run?.tool.driver.rules.every((rule) => rule.shortDescription.text.length > 0));
    const results = run?.results ?? [];
    const json = lintJson(await pgwarden(["hba", "lint", risky, "--format", "json", "--ident-file", identFile]));
    assert.equal(results.length, json.findings.length);
    for (const [index, item] of results.entries()) {
      assert.ok(ruleIds.has(item.ruleId), `${item.ruleId} is among the driver's rules`);
      assert.ok(["error", "warning", "note"].includes(item.level));
      assert.ok(item.message.text.length > 0);
      const location = item.locations[0]?.physicalLocation;
      assert.equal(location?.artifactLocation.uri, risky);
      assert.equal(location?.region.startLine, json.findings[index]?.source.line);
      assert.equal(item.ruleId, json.findings[index]?.id);
    }
    assert.equal(results.find((item) => item.ruleId === "trust-from-network")?.level, "error");
  });

  test("--inventory: findings point at the inventory line of the rule object, else at the rendered line", async () => {
    const result = await pgwarden([
      "hba",
      "lint",
      "--inventory",
      TRIO,
      "--cluster",
      "pg-test",
      "--instance",
      "pg-test-1",
      "--format",
      "json",
    ]);
    assert.equal(result.code, 1, result.stderr);
    const report = lintJson(result);
    assert.match(report.source, /pg-test-1\.pg_hba\.conf rendered from .*trio\.yml/);
    assert.deepEqual(report.context.superusers, ["postgres", "dbuser_dba"], "the inventory's dbsu and admin user");
    const trustLine = await lineOf(TRIO, "auth: trust");
    const trust = report.findings.find((finding) => finding.id === "trust-from-network");
    assert.deepEqual(trust?.source, { file: TRIO, line: trustLine });
    // pg-test has no pg_default_hba_rules of its own: Pigsty's defaults are found in the rendered file.
    const rendered = (
      await pgwarden(["hba", "render", "--inventory", TRIO, "--cluster", "pg-test", "--instance", "pg-test-1"])
    ).stdout.split("\n");
    const fromDefaults = report.findings.filter((finding) => finding.source.file === "pg-test-1.pg_hba.conf");
    assert.ok(fromDefaults.length > 0);
    for (const finding of fromDefaults)
      assert.equal(rendered[finding.source.line - 1], finding.rule, `rendered line ${finding.source.line}`);
    // The admin user is a superuser there: the default md5 rule from the intranet is reported.
    assert.ok(
      report.findings.some((finding) => finding.id === "superuser-without-cert" && /dbuser_dba/.test(finding.message)),
    );
  });

  test("--inventory --format sarif points at the inventory file", async () => {
    const result = await pgwarden([
      "hba",
      "lint",
      "--inventory",
      TRIO,
      "--cluster",
      "pg-test",
      "--instance",
      "pg-test-1",
      "--format",
      "sarif",
    ]);
    const sarif = JSON.parse(result.stdout) as {
      runs: {
        results: {
          ruleId: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    const trust = sarif.runs[0]?.results.find((item) => item.ruleId === "trust-from-network");
    assert.deepEqual(trust?.locations[0]?.physicalLocation, {
      artifactLocation: { uri: TRIO },
      region: { startLine: await lineOf(TRIO, "auth: trust") },
    });
  });

  test("shadowed-rule: an earlier list of users or databases that holds the later rule's", async () => {
    const file = join(work.dir, "lists.conf");
    await writeFile(
      file,
      [
        "host all alice,bob 10.0.0.0/8 scram-sha-256",
        "host all alice 10.1.0.0/16 scram-sha-256",
        "host db1,db2 all 10.0.0.0/8 scram-sha-256",
        "host db1 all 10.2.0.0/16 md5",
        "",
      ].join("\n"),
    );
    const report = lintJson(await pgwarden(["hba", "lint", file, "--format", "json"]));
    const shadowed = report.findings.filter((finding) => finding.id === "shadowed-rule");
    assert.deepEqual(
      shadowed.map((finding) => finding.source.line),
      [2, 4],
    );
    assert.match(
      shadowed[0]?.message ?? "",
      /lists\.conf:1 \(host all alice,bob 10\.0\.0\.0\/8 scram-sha-256\) always matches first/,
    );
  });

  test("--inventory: a role pg_users declares superuser counts as one, and the groups superusers are in", async () => {
    const file = join(work.dir, "boss.yml");
    await writeFile(
      file,
      `all:
  children:
    pg-x:
      hosts:
        10.0.0.1: { pg_seq: 1, pg_role: primary }
      vars:
        pg_cluster: pg-x
        pg_users:
          - { name: boss, superuser: true, password: 'Bo55-Secret.x9', roles: [ team ] }
        pg_hba_rules:
          - { user: boss, db: all, addr: intra, auth: pwd, title: 'boss from the intranet' }
          - { user: '+team', db: all, addr: world, auth: ssl, title: 'team from anywhere' }
          - { user: '+team', db: all, addr: intra, auth: pwd, title: 'team from the intranet' }
`,
    );
    const report = lintJson(
      await pgwarden(["hba", "lint", "--inventory", file, "--cluster", "pg-x", "--format", "json"]),
    );
    assert.ok(report.context.superusers.includes("boss"), report.context.superusers.join(" "));
    const superuser = report.findings.filter(
      (finding) => finding.id === "superuser-without-cert" && finding.source.file === file,
    );
    // intra is three networks, so three rendered lines per rule, all at the rule's inventory line; boss from the
    // intranet meets the boss rule first, so the +team intranet rule (after it) never lets boss in.
    assert.deepEqual(
      [...new Set(superuser.map((finding) => `${finding.source.line}: ${finding.message.split(" from ")[0]}`))],
      [
        `${await lineOf(file, "user: boss")}: boss`,
        `${await lineOf(file, "team from anywhere")}: boss (member of team)`,
      ],
    );
  });

  describe("bad input", () => {
    test("FILE and --conn together is a usage error (2)", async () => {
      assertOneLineError(
        await pgwarden(["hba", "lint", risky, "--conn", "postgresql://postgres@127.0.0.1:1/postgres"]),
        2,
        /give exactly one of FILE, --conn URL or --inventory FILE --cluster NAME/,
      );
    });
    test("FILE and --inventory together is a usage error (2)", async () => {
      assertOneLineError(
        await pgwarden(["hba", "lint", risky, "--inventory", TRIO, "--cluster", "pg-meta"]),
        2,
        /give exactly one of/,
      );
    });
    test("no source at all is a usage error (2)", async () => {
      assertOneLineError(await pgwarden(["hba", "lint"]), 2, /give exactly one of/);
    });
    test("--inventory without --cluster is a usage error (2)", async () => {
      assertOneLineError(await pgwarden(["hba", "lint", "--inventory", TRIO]), 2, /--inventory needs --cluster NAME/);
    });
    test("--cluster without --inventory is a usage error (2)", async () => {
      assertOneLineError(
        await pgwarden(["hba", "lint", risky, "--cluster", "pg-meta"]),
        2,
        /--cluster and --instance go with --inventory/,
      );
    });
    test("an unknown --fail-on is a usage error (2)", async () => {
      assertOneLineError(await pgwarden(["hba", "lint", risky, "--fail-on", "severe"]), 2, /--fail-on.*severe/);
    });
    test("a missing file is not found (4)", async () => {
      assertOneLineError(await pgwarden(["hba", "lint", join(work.dir, "nope.conf")]), 4, /nope\.conf does not exist/);
    });
    test("a missing --ident-file is not found (4)", async () => {
      assertOneLineError(
        await pgwarden(["hba", "lint", risky, "--ident-file", join(work.dir, "nope_ident.conf")]),
        4,
        /nope_ident\.conf does not exist/,
      );
    });
    test("an unknown cluster is not found (4)", async () => {
      assertOneLineError(
        await pgwarden(["hba", "lint", "--inventory", TRIO, "--cluster", "pg-nope"]),
        4,
        /no cluster "pg-nope"/,
      );
    });
    test("a failed command writes nothing", async () => {
      const before = await snapshot(work.dir);
      await pgwarden(["hba", "lint", risky, "--conn", "postgresql://postgres@127.0.0.1:1/postgres"]);
      await pgwarden(["hba", "render", "--inventory", TRIO, "--cluster", "pg-nope"]);
      assert.deepEqual(await snapshot(work.dir), before);
    });
  });
});

describe("hba lint --conn against a real server", () => {
  const PASSWORD = "hba-lint-test-pw";
  let cluster: Cluster;
  let url: string;
  let reader: string;

  before(async () => {
    cluster = await startCluster({ hba: ["host all all 127.0.0.1/32 scram-sha-256"] });
    await cluster.sql(
      "ALTER ROLE CURRENT_USER PASSWORD 'hba-lint-test-pw'; CREATE ROLE boss SUPERUSER; CREATE ROLE reader LOGIN PASSWORD 'hba-lint-test-pw'",
    );
    url = `postgresql://${cluster.superuser}@127.0.0.1:${cluster.port}/postgres`;
    reader = `postgresql://reader@127.0.0.1:${cluster.port}/postgres`;
    // pg_hba_file_rules and pg_ident_file_mappings read the files on disk: no reload needed.
    await cluster.writeHba([
      "host all all 127.0.0.1/32 scram-sha-256",
      "hostssl all boss 10.8.0.0/24 scram-sha-256",
      "hostssl all app 10.9.0.0/24 cert map=omicron",
      "hostssl all app 10.9.1.0/24 cert map=nosuch",
    ]);
    await writeFile(join(cluster.dataDir, "pg_ident.conf"), "# MAP SYSTEM PG\nomicron  CN=app  app\n");
  });
  after(() => cluster?.stop());

  test("superusers, ssl and ident maps come from the server", async () => {
    const result = await pgwarden(["hba", "lint", "--conn", url, "--format", "json"], {
      env: { PGPASSWORD: PASSWORD },
    });
    assert.equal(result.code, 1, result.stderr);
    const report = lintJson(result);
    const hbaFile = join(cluster.dataDir, "pg_hba.conf");
    assert.match(report.source, new RegExp(`127\\.0\\.0\\.1:${cluster.port}`));
    assert.deepEqual(report.context.superusers, ["boss", cluster.superuser].sort());
    assert.equal(report.context.ssl, false);
    assert.deepEqual(report.context.identMaps, ["omicron"]);
    assert.equal(report.rulesChecked, 5, "the harness's local line and the four written");
    const found = where(report.findings);
    assert.ok(found.includes("3:superuser-without-cert"), `boss is a superuser on the server: ${found.join(" ")}`);
    for (const line of [3, 4, 5])
      assert.ok(found.includes(`${line}:hostssl-while-ssl-off`), `ssl is off on the server: ${found.join(" ")}`);
    assert.ok(
      found.includes("5:unknown-ident-map") && !found.includes("4:unknown-ident-map"),
      `only nosuch is missing: ${found.join(" ")}`,
    );
    assert.ok(
      !found.some((entry) => entry.endsWith("parse-error")),
      "hostssl while ssl is off is loaded by the server, not refused",
    );
    assert.ok(report.findings.every((finding) => finding.source.file === hbaFile));
  });

  test("a role that may not read the rules gets exit 6; a wrong password exit 5", async () => {
    assertOneLineError(
      await pgwarden(["hba", "lint", "--conn", reader], { env: { PGPASSWORD: PASSWORD } }),
      6,
      /pg_hba_file_rules needs a superuser/,
    );
    assertOneLineError(
      await pgwarden(["hba", "lint", "--conn", url], { env: { PGPASSWORD: "wrong" } }),
      5,
      /cannot connect with --conn/,
    );
    // No password at all: node-postgres's "client password must be a string" says nothing a person can act on.
    assertOneLineError(
      await pgwarden(["hba", "lint", "--conn", url], { env: { PGPASSFILE: "/nonexistent/pgwarden-test-pgpass" } }),
      5,
      /cannot connect with --conn: the server asks for a password .* and none was given: set PGPASSWORD or ~\/\.pgpass/,
    );
  });
});
