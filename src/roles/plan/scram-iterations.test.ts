import assert from "node:assert/strict";
import { test } from "node:test";

import type pg from "pg";

import { PgwardenError } from "../../core/errors.js";
import { applyRoles } from "../apply-roles.js";
import { planRolesOnServer } from "../plan-on-server.js";
import { prepareRoles } from "../prepare-roles.js";
import type { RoleModel } from "../role-model.js";
import { DEFAULT_SCRAM_ITERATIONS, MAX_SCRAM_ITERATIONS } from "../scram.js";
import { planRoles } from "./plan-roles.js";
import { planScramIterations } from "./scram-iterations.js";

/** What the CLI's --scram-iterations refuses for role plan and role apply; 1 stored SCRAM-SHA-256$1 verifiers. */
const BAD = [
  1,
  0,
  -1,
  DEFAULT_SCRAM_ITERATIONS - 1,
  4096.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  MAX_SCRAM_ITERATIONS + 1,
];

const badIterations = (error: unknown) =>
  error instanceof PgwardenError && error.code === "bad-iterations" && error.exitCode === 2;

const model: RoleModel = {
  cluster: "pg-test",
  roles: [],
  defaultPrivileges: [],
  privilegeOwners: [],
  passwordEncryption: "scram-sha-256",
  warnings: [],
  problems: [],
};

/** Answers no query: any statement sent to it fails the test, so a refusal it sees came before the server was asked. */
function serverNeverAsked(): pg.Client {
  const refuse = () => Promise.reject(new Error("the server was asked something"));
  return { query: refuse } as unknown as pg.Client;
}

test("iterations below 4096, above 2147483647 or not whole are bad-iterations (exit 2), as the CLI's --scram-iterations", () => {
  for (const iterations of BAD) assert.throws(() => planScramIterations(iterations), badIterations, String(iterations));
  assert.throws(() => planScramIterations(1), /scramIterations must be a whole number from 4096 to 2147483647, not 1/);
});

test("the default and the bounds are still accepted", () => {
  assert.equal(planScramIterations(undefined), DEFAULT_SCRAM_ITERATIONS);
  assert.equal(planScramIterations(DEFAULT_SCRAM_ITERATIONS), DEFAULT_SCRAM_ITERATIONS);
  assert.equal(planScramIterations(MAX_SCRAM_ITERATIONS), MAX_SCRAM_ITERATIONS);
});

test("planRoles, planRolesOnServer, applyRoles and prepareRoles refuse them before the server or the inventory is read", async () => {
  const io = { env: {}, now: new Date(), onWarning: () => undefined };
  for (const scramIterations of BAD) {
    const catalogNeverRead = undefined as unknown as Parameters<typeof planRoles>[1];
    assert.throws(() => planRoles(model, catalogNeverRead, { scramIterations }), badIterations);
    await assert.rejects(planRolesOnServer(serverNeverAsked(), model, { scramIterations }), badIterations);
    await assert.rejects(applyRoles(serverNeverAsked(), model, { scramIterations }), badIterations);
    const missing = { inventory: "/nonexistent/pigsty.yml", cluster: "pg-test", scramIterations };
    await assert.rejects(prepareRoles(missing, io), badIterations);
  }
});
