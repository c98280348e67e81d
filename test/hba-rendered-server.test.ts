import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { clusterMembers, clusterNames, instanceName } from "../src/config/inventory.js";
import { loadInventory } from "../src/config/load-inventory.js";
import { renderHba } from "../src/hba/render/index.js";
import { pgwarden, REPO_ROOT, tempDir } from "./support/cli.js";
import { type Cluster, startCluster } from "./support/pg-cluster.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "pigsty");
const INVENTORIES = ["trio.yml", "safe.yml"];

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };

/* TLS on, with a CA for client certificates: hostssl and cert lines are only judged clean by such a server. */
before(async () => {
  work = await tempDir("pgwarden-hba-rendered-");
  const pki = join(work.dir, "pki");
  assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--quiet"])).code, 0);
  const issued = await pgwarden([
    "cert",
    "issue",
    "--pki",
    pki,
    "--profile",
    "server",
    "--cn",
    "localhost",
    "--san",
    "127.0.0.1",
    "--quiet",
  ]);
  assert.equal(issued.code, 0, issued.stderr);
  cluster = await startCluster({
    tls: {
      certPem: await readFile(join(pki, "server", "localhost.crt"), "utf8"),
      keyPem: await readFile(join(pki, "server", "localhost.key"), "utf8"),
      caPem: await readFile(join(pki, "ca", "ca.crt"), "utf8"),
    },
  });
});

after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

interface FileRuleRow {
  line: number;
  error: string;
}

/**
 * What the server's own parser says about the file on disk now: pg_hba_file_rules reads
 * hba_file afresh on every query, so nothing is reloaded and the harness's rules keep serving.
 */
async function serverVerdict(text: string): Promise<FileRuleRow[]> {
  await writeFile(join(cluster.dataDir, "pg_hba.conf"), text);
  const rows = await cluster.sql(
    "SELECT line_number, coalesce(error, '') FROM pg_catalog.pg_hba_file_rules ORDER BY line_number",
  );
  return rows
    .split("\n")
    .filter((row) => row !== "")
    .map((row) => {
      const [line = "", ...error] = row.split("|");
      return { line: Number(line), error: error.join("|") };
    });
}

test("A real server loads every rendered file with no pg_hba_file_rules error", async () => {
  let files = 0;
  for (const name of INVENTORIES) {
    const inventory = await loadInventory(join(FIXTURES, name));
    for (const clusterName of clusterNames(inventory)) {
      // Every instance, and the cluster as a whole (role-specific rules commented out).
      for (const instance of [undefined, ...clusterMembers(inventory, clusterName)]) {
        const rendered = renderHba(inventory, clusterName, { instance, target: "pg" });
        const what = `${name} ${clusterName} ${instance === undefined ? "(cluster)" : (instanceName(inventory, instance) ?? instance)}`;
        const rows = await serverVerdict(rendered.text);
        assert.deepEqual(
          rows.filter((row) => row.error !== ""),
          [],
          `${what}: the server finds no error`,
        );
        const active = rendered.rules.filter((rule) => rule.active);
        assert.ok(active.length > 10, `${what} has rules`);
        assert.deepEqual(
          rows.map((row) => row.line),
          active.map((rule) => rule.fileLine),
          `${what}: the server reads exactly the active rules, at their lines`,
        );
        files++;
      }
    }
  }
  assert.ok(files >= 12, `every cluster and instance of ${INVENTORIES.join(", ")} was loaded (${files} files)`);
  // The verdict is the file's: a line the server refuses shows up at once.
  const bad = await serverVerdict("local all all peer\nhost all all 10.0.0.0/33 md5\n");
  assert.deepEqual(bad, [
    { line: 1, error: "" },
    { line: 2, error: 'invalid CIDR mask in address "10.0.0.0/33"' },
  ]);
});

/** YAML's single-quoted form: any text, with ' doubled. */
const yamlSingle = (text: string) => `'${text.replace(/'/g, "''")}'`;

test("Awkward user names render as PostgreSQL parses them, the server reads the intended name; impossible ones are refused at file:line", async () => {
  // [the name the rule means, the user field as written in the inventory (pg_hba's own quoting)]
  const names: [string, string][] = [
    ['o"brien', '"o""brien"'],
    ['say "hi"', '"say ""hi"""'],
    ["with space", '"with space"'],
    ["a,b", '"a,b"'],
    ["hash#tag", '"hash#tag"'],
    ["+plus", '"+plus"'],
    ["/slash", '"/slash"'],
    ["@at", '"@at"'],
    ["all", '"all"'],
    ["sameuser", '"sameuser"'],
    ["o'neil", "o'neil"],
    ["dbuser_ünïcödé", "dbuser_ünïcödé"],
    ["ü".repeat(31) + "x", "ü".repeat(31) + "x"],
    ["x".repeat(63), "x".repeat(63)],
  ];
  assert.ok(names.every(([name]) => Buffer.byteLength(name) <= 63) && Buffer.byteLength(names[12]?.[0] ?? "") === 63);
  const rules = names.map(
    ([, written], index) =>
      `          - { user: ${yamlSingle(written)}, db: all, addr: 127.0.0.1/32, auth: ssl, order: ${index + 1} }`,
  );
  const head = [
    "all:",
    "  children:",
    "    pg-odd:",
    "      hosts: { 127.0.0.1: { pg_seq: 1, pg_role: primary } }",
    "      vars:",
  ];
  const vars = ["        pg_cluster: pg-odd", "        pg_default_hba_rules: []", "        pg_hba_rules:"];
  const inventoryText = (extra: string) => [...head, ...vars, ...rules, extra, ""].join("\n");
  const file = join(work.dir, "odd-names.yml");
  await writeFile(file, inventoryText(""));
  const rendered = await pgwarden(["hba", "render", "--inventory", file, "--cluster", "pg-odd"]);
  assert.equal(rendered.code, 0, rendered.stderr);
  await writeFile(join(cluster.dataDir, "pg_hba.conf"), rendered.stdout);
  const rows = (
    await cluster.sql(
      "SELECT coalesce(error, ''), to_json(user_name) FROM pg_catalog.pg_hba_file_rules ORDER BY line_number",
    )
  )
    .split("\n")
    .map((row) => {
      const [error = "", json = "null"] = row.split(/\|(?=\[|null)/);
      return { error, users: JSON.parse(json) as string[] | null };
    });
  assert.deepEqual(
    rows,
    names.map(([name]) => ({ error: "", users: [name] })),
    "the server reads each line without an error, and the user is the intended name",
  );
  // pgwarden's own model of the rendered rules (what lint and explain judge) reads the same names, quoted so no keyword applies.
  const inventory = await loadInventory(file);
  const model = renderHba(inventory, "pg-odd", { target: "pg" }).rules.map((rule) => rule.rule?.users);
  assert.deepEqual(
    model,
    names.map(([name, written]) => [{ value: name, quoted: written.startsWith('"') }]),
  );

  // Names no role can have, and a quote that never closes: exit 3, the inventory's file:line, nothing on stdout.
  const refusals: [string, RegExp][] = [
    [
      'o"brien',
      /opens a double quote it never closes.*write a name that holds a " in double quotes, with that " doubled/,
    ],
    ["y".repeat(64), /role name "y{64}" is 64 bytes, and PostgreSQL's names are at most 63 bytes/],
    [`+${"g".repeat(64)}`, /role name "g{64}" is 64 bytes/],
    [`"${"ü".repeat(32)}"`, /is 64 bytes/],
    ['""', /has an empty role name/],
  ];
  const line = rules.length + 9;
  for (const [written, pattern] of refusals) {
    await writeFile(
      file,
      inventoryText(`          - { user: ${yamlSingle(written)}, db: all, addr: 127.0.0.1/32, auth: ssl }`),
    );
    const refused = await pgwarden(["hba", "render", "--inventory", file, "--cluster", "pg-odd"]);
    assert.equal(refused.code, 3, `${written}: ${refused.stderr}`);
    assert.equal(refused.stdout, "");
    assert.match(
      refused.stderr,
      new RegExp(
        `odd-names\\.yml:${line}: all\\.children\\.pg-odd\\.vars\\.pg_hba_rules\\[${rules.length}\\]\\.user: `,
      ),
      written,
    );
    assert.match(refused.stderr, pattern, written);
  }
});
