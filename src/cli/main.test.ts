import assert from "node:assert/strict";
import { test } from "node:test";
import { buildProgram, commandOf } from "./main.js";

const argv = (...args: string[]) => ["node", "pgwarden", ...args];

test("the noun and verb are found behind program-level flags, whose values are not nouns", () => {
  assert.deepEqual(commandOf(argv("cert", "issue", "--cn", "x")), { noun: "cert", verb: "issue" });
  // A PKI directory called "ca" is the value of --pki, not the noun.
  assert.deepEqual(commandOf(argv("--pki", "ca", "cert", "list")), { noun: "cert", verb: "list" });
  assert.deepEqual(commandOf(argv("--format", "json", "--quiet", "hba", "lint", "f")), { noun: "hba", verb: "lint" });
  assert.deepEqual(commandOf(argv("--pki=ca", "sandbox", "up")), { noun: "sandbox", verb: "up" });
  assert.deepEqual(commandOf(argv("cert", "--help")), { noun: "cert" });
  assert.deepEqual(commandOf(argv("quickstart")), { noun: "quickstart" });
});

test("no noun, or one that does not exist, loads the whole tree", async () => {
  assert.deepEqual(commandOf(argv()), {});
  assert.deepEqual(commandOf(argv("--help")), {});
  assert.deepEqual(commandOf(argv("certs", "list")), {});
  assert.deepEqual(commandOf(argv("constructor")), {}, "only the table's own keys are nouns");
  const all = await buildProgram(argv("--help"));
  assert.deepEqual(all.commands.map((command) => command.name()).sort(), ["ca", "cert", "hba", "password", "pg", "quickstart", "role", "sandbox", "trust"]);
  const one = await buildProgram(argv("--pki", "ca", "cert", "list"));
  assert.deepEqual(one.commands.map((command) => command.name()), ["cert"]);
  assert.deepEqual(one.commands[0]?.commands.map((command) => command.name()), ["list"]);
});

test("a noun without a verb, or with one it does not have, loads all its verbs (for help and suggestions)", async () => {
  const verbs = async (...args: string[]) => (await buildProgram(argv(...args))).commands[0]?.commands.map((command) => command.name());
  assert.deepEqual(await verbs("cert", "--help"), ["issue", "sign", "inspect", "verify", "list", "export"]);
  assert.deepEqual(await verbs("cert", "isue"), ["issue", "sign", "inspect", "verify", "list", "export"]);
  assert.deepEqual(await verbs("cert", "constructor"), ["issue", "sign", "inspect", "verify", "list", "export"]);
  assert.deepEqual(await verbs("hba", "explain", "x"), ["explain"]);
  assert.deepEqual(await verbs("quickstart"), []);
});
