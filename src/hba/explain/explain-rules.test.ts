import assert from "node:assert/strict";
import { test } from "node:test";

import { parseInventory } from "../../config/load-inventory.js";
import { PgwardenError } from "../../core/errors.js";
import { parseHbaText } from "../parse/index.js";
import { renderHba } from "../render/index.js";
import { explainRules } from "./explain-rules.js";
import type { ServerFactsForRole } from "./server-facts.js";

const INVENTORY = parseInventory(
  `
all:
  children:
    pg-test:
      hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-test
        pg_users: [ { name: dbuser_report, roles: [dbrole_readonly] } ]
`,
  "pigsty.yml",
);

const RULES = "host all +dbrole_readonly 10.0.0.0/8 scram-sha-256\nhost all all all reject\n";

const serverFacts = (memberOf: string[]): ServerFactsForRole => ({
  server: { majorVersion: 15, addresses: [] },
  roleExists: true,
  memberOf,
});

test("a +group line is decided by the memberships the precedence picks: given, then server, then inventory", async () => {
  const file = await parseHbaText(RULES, "pg_hba.conf");
  const inventory = INVENTORY;
  const rendered = renderHba(INVENTORY, "pg-test", { instance: "10.10.10.11", target: "pg" });
  const ask = { user: "dbuser_report", addr: "10.1.2.3" };

  const fromInventory = await explainRules(ask, () => Promise.resolve({ file, inventory, rendered }));
  assert.equal(fromInventory.membershipsFrom, "inventory");
  assert.deepEqual(fromInventory.connection.memberOf, ["dbrole_readonly"]);
  assert.equal(fromInventory.explanation.first?.rule.source.line, 1);

  const fromServer = await explainRules(ask, () =>
    Promise.resolve({ file, inventory, rendered, roleFacts: serverFacts([]) }),
  );
  assert.equal(fromServer.membershipsFrom, "server");
  assert.equal(fromServer.explanation.first?.rule.source.line, 2);
  assert.equal(fromServer.explanation.verdict, "refused");

  const given = await explainRules({ ...ask, memberOf: ["dbrole_readonly"] }, () =>
    Promise.resolve({
      file,
      roleFacts: serverFacts([]),
    }),
  );
  assert.equal(given.membershipsFrom, "given");
  assert.equal(given.explanation.first?.rule.source.line, 1);

  const unknown = await explainRules(ask, () => Promise.resolve({ file }));
  assert.equal(unknown.membershipsFrom, "unknown");
  assert.equal(unknown.connection.memberOf, undefined);
  assert.equal(unknown.explanation.undecided.length, 1);
  assert.equal(unknown.explanation.verdict, "unknown");
});

test("--pg-version wins over the server's version, and the server's role facts reach the verdict", async () => {
  const file = await parseHbaText("host all all all scram-sha-256\n", "pg_hba.conf");
  const missing = await explainRules({ user: "ghost", addr: "10.1.2.3", majorVersion: 16 }, () =>
    Promise.resolve({
      file,
      roleFacts: { ...serverFacts([]), roleExists: false },
    }),
  );
  assert.equal(missing.explanation.verdict, "refused");
});

test("a bad connection is refused before the source is read; a file PostgreSQL would not load is warned about", async () => {
  let loaded = false;
  await assert.rejects(
    explainRules({ user: "app", addr: "nowhere" }, async () => {
      loaded = true;
      return { file: await parseHbaText("", "pg_hba.conf") };
    }),
    (error: unknown) => error instanceof PgwardenError && error.code === "explain-addr",
  );
  assert.equal(loaded, false);
  const broken = await parseHbaText("host all all 10.0.0.0/8 no-such-method\nhostx all all all trust\n", "pg_hba.conf");
  const result = await explainRules({ user: "app", addr: "10.1.2.3" }, () => Promise.resolve({ file: broken }));
  assert.equal(result.warnings.length, 1);
  assert.match(
    result.warnings[0] ?? "",
    /^pg_hba\.conf:1: .* and 1 more: PostgreSQL refuses to load a file with errors/,
  );
});
