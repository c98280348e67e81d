import assert from "node:assert/strict";
import { test } from "node:test";

import { draftsOnFacts, literalSettings } from "../../../../test/support/literal-facts.js";
import { settingsFact } from "../../facts/settings.js";
import { replicationWithoutTls } from "./replication-without-tls.js";

const judge = (primaryConninfo: string) =>
  draftsOnFacts(replicationWithoutTls, [[settingsFact, literalSettings({ primary_conninfo: primaryConninfo })]]);

test("tls/replication-without-tls: a standby's primary_conninfo without a verifying sslmode, never showing its password", async () => {
  const [unset] = await judge("host=10.0.0.1 user=replicator password=S3cret-Repl");
  assert.equal(unset?.severity, "high");
  assert.match(unset?.message ?? "", /from 10\.0\.0\.1 with sslmode prefer \(libpq's default: not set\)/);
  assert.doesNotMatch(JSON.stringify(unset), /S3cret-Repl/);
  assert.equal((await judge("host=10.0.0.1 sslmode=disable"))[0]?.severity, "high");
  assert.equal((await judge("postgresql://replicator@10.0.0.1/postgres?sslmode=require"))[0]?.severity, "medium");
  assert.deepEqual(await judge("host=10.0.0.1 sslmode=verify-full sslrootcert=/etc/pki/ca.crt"), []);
  assert.deepEqual(await judge("host=10.0.0.1 sslmode=verify-ca"), []);
  assert.deepEqual(await judge(""), [], "a primary (no primary_conninfo) is not judged");
  assert.deepEqual(await judge("host='unterminated"), [], "a string libpq would refuse cannot stream at all");
});
