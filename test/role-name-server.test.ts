import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { quoteIdentifier } from "../src/core/identifier.js";
import { newRoleNameProblem, SESSION_ROLE_KEYWORDS } from "../src/core/role-name.js";
import { type Cluster, startCluster } from "./support/pg-cluster.js";

let cluster: Cluster;
before(async () => (cluster = await startCluster()));
after(() => cluster?.stop());

/** What CREATE ROLE says about `name`, quoted as pgwarden (and Pigsty's templates) write it: undefined when it makes the role. */
async function serverRefusal(name: string): Promise<string | undefined> {
  const quoted = quoteIdentifier(name);
  try {
    await cluster.sql(`CREATE ROLE ${quoted}; DROP ROLE ${quoted};`);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const NAMES = [
  "dbuser_app",
  "pg",
  "pgx",
  "pg-x",
  "publicity",
  "x".repeat(63),
  "pg_x",
  "pg_",
  "pg_monitor",
  "public",
  "none",
  "current_user",
  "current_role",
  "session_user",
  "PG_x",
  "Public",
  "NONE",
  "Current_User",
];

test("pgwarden refuses offline exactly the names CREATE ROLE refuses, and beyond them only the session keywords", async () => {
  for (const name of NAMES) {
    const server = await serverRefusal(name);
    const offline = newRoleNameProblem(name);
    if (server !== undefined) {
      assert.match(server, /is reserved/, name);
      assert.notEqual(offline, undefined, `${name}: the server refuses it (${server}), pgwarden must too`);
      continue;
    }
    // Beyond the server's refusals, only a keyword an unquoted mention reads as the session's role.
    assert.equal(
      offline !== undefined,
      SESSION_ROLE_KEYWORDS.includes(name.toLowerCase()),
      `${name}: the server takes it; offline: ${offline ?? "accepted"}`,
    );
  }
  // The server's own verdicts this table rests on (PostgreSQL's IsReservedName and gram.y RoleId).
  for (const name of ["pg_x", "pg_", "public", "none"]) assert.notEqual(await serverRefusal(name), undefined, name);
  for (const name of ["PG_x", "Public", "current_user", "dbuser_app"])
    assert.equal(await serverRefusal(name), undefined, name);
});
