import assert from "node:assert/strict";
import { test } from "node:test";
import { buildProgram, nounOf } from "./main.js";

const argv = (...args: string[]) => ["node", "pgwarden", ...args];

test("the noun is found behind program-level flags, whose values are not nouns", () => {
  assert.equal(nounOf(argv("cert", "issue", "--cn", "x")), "cert");
  // A PKI directory called "ca" is the value of --pki, not the noun.
  assert.equal(nounOf(argv("--pki", "ca", "cert", "list")), "cert");
  assert.equal(nounOf(argv("--format", "json", "--quiet", "hba", "lint", "f")), "hba");
  assert.equal(nounOf(argv("--pki=ca", "sandbox", "up")), "sandbox");
});

test("no noun, or one that does not exist, loads the whole tree", async () => {
  assert.equal(nounOf(argv()), undefined);
  assert.equal(nounOf(argv("--help")), undefined);
  assert.equal(nounOf(argv("certs", "list")), undefined);
  assert.equal(nounOf(argv("constructor")), undefined, "only the table's own keys are nouns");
  const all = await buildProgram(argv("--help"));
  assert.deepEqual(all.commands.map((command) => command.name()).sort(), ["ca", "cert", "hba", "password", "pg", "quickstart", "role", "sandbox", "trust"]);
  const one = await buildProgram(argv("--pki", "ca", "cert", "list"));
  assert.deepEqual(one.commands.map((command) => command.name()), ["cert"]);
});
