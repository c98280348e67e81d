import assert from "node:assert/strict";
import { test } from "node:test";

import { parseHbaText } from "../parse/index.js";
import { blockedLogins, loginsToKeep } from "./lockout.js";
import { type ApplyFacts, commonNameOf } from "./server-facts.js";

const SOCKET: ApplyFacts = {
  sessionUser: "postgres",
  database: "postgres",
  clientAddress: null,
  serverAddress: null,
  versionNum: 150_018,
  ssl: false,
  clientDn: null,
  gssEncrypted: false,
  bootstrapSuperuser: "postgres",
  superusers: ["postgres"],
  serverSsl: true,
  memberOf: { postgres: ["admins"] },
};
const TCP_CERT: ApplyFacts = {
  ...SOCKET,
  sessionUser: "dba",
  clientAddress: "10.0.0.5",
  serverAddress: "10.0.0.1",
  ssl: true,
  clientDn: "CN=dba",
  memberOf: { dba: [], postgres: ["admins"] },
};

const rules = async (text: string) => (await parseHbaText(text, "/pg/data/pg_hba.conf")).rules;

test("loginsToKeep: pgwarden's socket session as the bootstrap superuser is one login; a TCP session is a second", () => {
  assert.equal(loginsToKeep(SOCKET).length, 1);
  const [own, superuser] = loginsToKeep(TCP_CERT);
  assert.deepEqual(own?.connection, {
    user: "dba",
    database: "postgres",
    address: "10.0.0.5",
    ssl: true,
    gssenc: false,
    memberOf: [],
    certificate: { commonName: "dba" },
  });
  assert.deepEqual(superuser?.connection, {
    user: "postgres",
    database: "postgres",
    address: "local",
    ssl: false,
    memberOf: ["admins"],
  });
});

test("blockedLogins: what the explain engine refuses or cannot tell, and what it lets in", async () => {
  assert.deepEqual(blockedLogins(await rules("local all all peer\n"), SOCKET), []);
  assert.deepEqual(blockedLogins(await rules("local all +admins peer\n"), SOCKET), [], "membership from the server");
  const none = blockedLogins(await rules("host all all 127.0.0.1/32 scram-sha-256\n"), SOCKET);
  assert.equal(none[0]?.explanation.verdict, "refused");
  assert.equal(none[0]?.explanation.first, undefined, "no line matches");

  const certRules = await rules("local all postgres peer\nhostssl all dba 10.0.0.0/8 cert\n");
  assert.deepEqual(blockedLogins(certRules, TCP_CERT), [], "the session's own certificate CN");
  const otherCn = blockedLogins(certRules, { ...TCP_CERT, clientDn: "CN=someone" });
  assert.equal(otherCn[0]?.explanation.verdict, "refused");
  assert.equal(otherCn[0]?.explanation.first?.rule.source.line, 2);

  const hostName = blockedLogins(
    await rules("local all all peer\nhost all dba db.example.com reject\nhostssl all dba 10.0.0.0/8 scram-sha-256\n"),
    TCP_CERT,
  );
  assert.equal(
    hostName[0]?.explanation.verdict,
    "unknown",
    "a host name line before the match: pgwarden cannot tell, so apply fails closed",
  );
});

test("commonNameOf: pg_stat_ssl.client_dn in both spellings", () => {
  assert.equal(commonNameOf("CN=dba,O=Example"), "dba");
  assert.equal(commonNameOf("O=Example,CN=dba"), "dba");
  assert.equal(commonNameOf("/O=Example/CN=dba"), "dba");
  assert.equal(commonNameOf("CN=a\\,b"), "a,b");
  assert.equal(commonNameOf("O=Example"), undefined);
});
