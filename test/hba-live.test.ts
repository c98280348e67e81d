import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import pg from "pg";

import { type HbaToken } from "../src/core/auth-file-tokens.js";
import { PgwardenError } from "../src/core/errors.js";
import { readLiveRules } from "../src/hba/live-rules.js";
import type { HbaFile, HbaRule } from "../src/hba/model.js";
import { parseHbaFile, parseHbaText } from "../src/hba/parse/index.js";
import { readServerHba } from "../src/hba/server-file.js";
import { type Cluster, startCluster } from "./support/pg-cluster.js";

/** Loopback only: node-postgres connects over TCP, where the harness's peer rule does not apply. */
const CLIENT_RULE = "host all all 127.0.0.1/32 trust";

/** Rules that parse (after the harness's own `local all all peer` on line 1). */
const GOOD_RULES = [
  CLIENT_RULE,
  'host app,"my db" alice,+admins 10.0.0.0 255.0.0.0 scram-sha-256',
  "hostnossl all @users.txt ::1/128 md5",
  "host replication repl 192.168.0.0/16 scram-sha-256",
  "host sameuser all samenet reject",
  "host all bob db.example.com md5",
  "host all carol \\",
  "    10.20.0.0/16 ident map=omicron",
  "local all all ident",
];

let cluster: Cluster;
let client: pg.Client | undefined;

before(async () => {
  cluster = await startCluster({ hba: [CLIENT_RULE] });
  await writeFile(join(cluster.dataDir, "users.txt"), 'alice, bob # the app team\n"carol x"\n', { mode: 0o644 });
  // The view reads the file on disk, so rules the server would refuse are shown without being loaded.
  await cluster.writeHba([
    ...GOOD_RULES,
    "host all all 10.0.0.0/33 md5",
    "hostssl all all 10.0.0.0/8 md5",
    "host all all all reject",
  ]);
  client = new pg.Client({ host: cluster.host, port: cluster.port, user: cluster.superuser, database: "postgres" });
  await client.connect();
});

after(async () => {
  await client?.end();
  await cluster?.stop();
});

/** A token without the view's quoteUnknown mark, which the parser of the file itself never needs. */
const plain = (tokens: readonly HbaToken[]) => tokens.map(({ value, quoted }) => ({ value, quoted }));

/** What both readers must agree on: everything but the text as written (and what the view cannot know of quotes). */
const comparable = (rule: HbaRule) => ({
  source: rule.source,
  type: rule.type,
  databases: plain(rule.databases),
  users: plain(rule.users),
  address: rule.address,
  method: rule.method,
  options: rule.options,
});

test("readLiveRules gives the rules and lines the parser finds in the same file", async () => {
  const hbaFile = join(cluster.dataDir, "pg_hba.conf");
  const live: HbaFile = await readLiveRules(client as pg.Client);
  const parsed = await parseHbaFile(hbaFile);

  assert.deepEqual(live.rules.map(comparable), parsed.rules.map(comparable));
  assert.deepEqual(
    live.rules.map((rule) => rule.source.line),
    [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 13],
    "the continued rule keeps the line it starts on",
  );
  assert.ok(live.rules.every((rule) => rule.source.file === hbaFile));
  const users = live.rules.find((rule) => rule.type === "hostnossl")?.users.map((token) => token.value);
  assert.deepEqual(users, ["alice", "bob", "carol x"], "the @file list is read in by both");
  assert.equal(
    live.rules.find((rule) => rule.source.line === 10)?.method,
    "peer",
    "ident on the socket is peer for both",
  );
});

test("errors: the same line and message; hostssl with ssl off is the server's own judgement", async () => {
  const hbaFile = join(cluster.dataDir, "pg_hba.conf");
  const live = await readLiveRules(client as pg.Client);
  const parsed = await parseHbaFile(hbaFile);
  assert.deepEqual(parsed.errors, [
    { source: { file: hbaFile, line: 11 }, message: 'invalid CIDR mask in address "10.0.0.0/33"' },
  ]);
  assert.deepEqual(live.errors, [
    ...parsed.errors,
    { source: { file: hbaFile, line: 12 }, message: "hostssl record cannot match because SSL is disabled" },
  ]);
  assert.ok(
    live.rules.some((rule) => rule.source.line === 12 && rule.type === "hostssl"),
    "the server still loads that rule, so it is a rule too",
  );
});

test("the rebuilt text reads back as the same rule", async () => {
  const live = await readLiveRules(client as pg.Client);
  const rule = live.rules.find((candidate) => candidate.source.line === 3) as HbaRule;
  assert.equal(rule.text, 'host app,"my db" alice,+admins 10.0.0.0/8 scram-sha-256');
  for (const each of live.rules) {
    const [again] = (await parseHbaText(each.text, each.source.file)).rules;
    assert.deepEqual({ ...comparable(again as HbaRule), source: each.source }, comparable(each), each.text);
  }
});

test("a role that may not read pg_hba_file_rules gets a privilege error", async () => {
  await cluster.sql("CREATE ROLE hba_reader LOGIN");
  const limited = new pg.Client({ host: cluster.host, port: cluster.port, user: "hba_reader", database: "postgres" });
  await limited.connect();
  try {
    await assert.rejects(
      readLiveRules(limited),
      (error: unknown) => error instanceof PgwardenError && error.code === "hba-rules-denied" && error.exitCode === 6,
    );
  } finally {
    await limited.end();
  }
});

test("readServerHba reads the file itself for a superuser (quotes and the @file kept) and falls back to the view, saying why, for a role that may not read files", async () => {
  const hbaFile = join(cluster.dataDir, "pg_hba.conf");
  // May read the view and the settings, not files.
  await cluster.sql(
    "CREATE ROLE hba_viewer_role LOGIN; GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO hba_viewer_role; " +
      "GRANT SELECT ON pg_catalog.pg_hba_file_rules TO hba_viewer_role; GRANT pg_read_all_settings TO hba_viewer_role",
  );
  const fromFile = await readServerHba(client as pg.Client);
  assert.equal(fromFile.readFrom, "file");
  assert.equal(fromFile.path, hbaFile);
  assert.deepEqual(
    fromFile.file,
    await parseHbaFile(hbaFile, { majorVersion: fromFile.majorVersion }),
    "the same rules, errors and text as the parser reading the file",
  );

  const viewer = new pg.Client({
    host: cluster.host,
    port: cluster.port,
    user: "hba_viewer_role",
    database: "postgres",
  });
  await viewer.connect();
  try {
    const fromView = await readServerHba(viewer);
    assert.equal(fromView.readFrom, "view");
    assert.match(fromView.limitation ?? "", /pg_hba_file_rules, which drops quotes/);
    const all = fromView.file.rules.find((rule) => rule.source.line === 2)?.users[0];
    assert.deepEqual(
      all,
      { value: "all", quoted: false, quoteUnknown: true },
      "all from the view may have been quoted",
    );
  } finally {
    await viewer.end();
  }
});
