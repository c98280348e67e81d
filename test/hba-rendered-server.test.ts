import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { clusterMembers, clusterNames, instanceName } from "../src/config/inventory.js";
import { loadInventory } from "../src/config/load-inventory.js";
import { renderHba } from "../src/hba/render/index.js";
import { REPO_ROOT, pgwarden, tempDir } from "./support/cli.js";
import { startCluster, type Cluster } from "./support/pg-cluster.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "pigsty");
const INVENTORIES = ["trio.yml", "safe.yml"];

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };

/** TLS on, with a CA for client certificates: hostssl and cert lines are only judged clean by such a server. */
before(async () => {
  work = await tempDir("pgwarden-hba-rendered-");
  const pki = join(work.dir, "pki");
  assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--quiet"])).code, 0);
  const issued = await pgwarden(["cert", "issue", "--pki", pki, "--profile", "server", "--cn", "localhost", "--san", "127.0.0.1", "--quiet"]);
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
  const rows = await cluster.sql("SELECT line_number, coalesce(error, '') FROM pg_catalog.pg_hba_file_rules ORDER BY line_number");
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
        assert.deepEqual(rows.filter((row) => row.error !== ""), [], `${what}: the server finds no error`);
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
  assert.deepEqual(bad, [{ line: 1, error: "" }, { line: 2, error: 'invalid CIDR mask in address "10.0.0.0/33"' }]);
});
