import assert from "node:assert/strict";
import { test } from "node:test";

import { type Memberships, membershipsOf, type MembershipSources } from "./memberships.js";

const inventory = () => ["dbrole_readonly"];

test("membership precedence: what the person gives, then the server, then the inventory, else unknown", () => {
  const table: { name: string; sources: MembershipSources; want: Memberships }[] = [
    {
      name: "--member-of wins over server and inventory",
      sources: { given: ["dbrole_admin"], server: ["dbrole_readwrite"], inventory },
      want: { memberOf: ["dbrole_admin"], origin: "given" },
    },
    {
      name: "--no-member-of (an empty list) is an answer, not an absence",
      sources: { given: [], server: ["dbrole_readwrite"], inventory },
      want: { memberOf: [], origin: "given" },
    },
    {
      name: "the server wins over the inventory",
      sources: { server: ["dbrole_readwrite"], inventory },
      want: { memberOf: ["dbrole_readwrite"], origin: "server" },
    },
    {
      name: "a server that says none is an answer too",
      sources: { server: [], inventory },
      want: { memberOf: [], origin: "server" },
    },
    {
      name: "the inventory when nothing else says",
      sources: { inventory },
      want: { memberOf: ["dbrole_readonly"], origin: "inventory" },
    },
    { name: "a plain file says nothing: unknown, never guessed", sources: {}, want: { origin: "unknown" } },
  ];
  for (const row of table) assert.deepEqual(membershipsOf(row.sources), row.want, row.name);
});

test("the inventory's memberships are worked out only when nothing before it answers", () => {
  let asked = 0;
  const counting = () => {
    asked += 1;
    return ["x"];
  };
  membershipsOf({ given: [], inventory: counting });
  membershipsOf({ server: [], inventory: counting });
  assert.equal(asked, 0);
  membershipsOf({ inventory: counting });
  assert.equal(asked, 1);
});
