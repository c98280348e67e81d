import assert from "node:assert/strict";
import { test } from "node:test";

import { ExitCode, PgwardenError } from "../core/errors.js";
import { checkDeclaredPasswords, declaredPasswordProblems } from "./declared-password-policy.js";
import type { DesiredRole } from "./desired-role.js";
import type { RoleModel } from "./role-model.js";

const role = (
  name: string,
  password: DesiredRole["password"],
  state: DesiredRole["state"] = "create",
): DesiredRole => ({
  name,
  state,
  source: { file: "pigsty.yml", line: 4 },
  system: false,
  attributes: {},
  password,
  memberships: [],
  parameters: [],
  comment: "",
});
const model = (roles: DesiredRole[]): RoleModel => ({
  cluster: "c",
  roles,
  defaultPrivileges: [],
  privilegeOwners: [],
  passwordEncryption: "scram-sha-256",
  warnings: [],
  problems: [],
});

function rejects(roleModel: RoleModel, pattern: RegExp, policy = {}): void {
  assert.throws(
    () => checkDeclaredPasswords(roleModel, policy),
    (error: unknown) =>
      error instanceof PgwardenError &&
      error.code === "password-policy" &&
      error.exitCode === ExitCode.config &&
      pattern.test(error.message),
  );
}

test("passwordcheck's rules and the stricter options, with where the password was written; several are summed up", () => {
  rejects(
    model([role("app", { kind: "plaintext", value: "short1", from: "pg_users (env APP)" })]),
    /^pigsty\.yml:4: app: password from pg_users \(env APP\) is shorter than 8 characters \(rule too-short\)$/,
  );
  rejects(
    model([
      role("app", {
        kind: "plaintext",
        value: "abcdefghij",
        from: "pg_users",
        source: { file: "pigsty.yml", line: 9 },
      }),
    ]),
    /^2 password policy problems in pigsty\.yml: nothing was sent to a server/,
    { requiredClasses: ["digit"] },
  );
  rejects(
    model([role("app", { kind: "plaintext", value: "Correct-Horse-1", from: "pg_users" })]),
    /is on the denylist/,
    { denylist: new Set(["correct-horse-1"]) },
  );
  rejects(
    model([role("app", { kind: "plaintext", value: "Long-Enough-1", from: "pg_users" })]),
    /is shorter than 16 characters/,
    { minLength: 16 },
  );
});

test("Pigsty's published system passwords are refused; the message never holds a password", () => {
  assert.throws(
    () =>
      checkDeclaredPasswords(
        model([role("dbuser_dba", { kind: "plaintext", value: "DBUser.DBA", from: "pg_admin_password" })]),
      ),
    (error: unknown) => {
      assert.ok(error instanceof PgwardenError);
      assert.match(
        error.message,
        /dbuser_dba: password from pg_admin_password is Pigsty's published default for pg_admin_password: set a password of your own \(rule vendor-default\)/,
      );
      assert.ok(!error.message.includes("DBUser.DBA"));
      return true;
    },
  );
});

test("pre-hashed secrets and roles to drop are not checked; good passwords pass", () => {
  assert.doesNotThrow(() =>
    checkDeclaredPasswords(
      model([
        role("a", { kind: "scram", secret: "SCRAM-SHA-256$4096:x$y:z", from: "pg_users" }),
        role("b", { kind: "plaintext", value: "x", from: "pg_users" }, "absent"),
        role("c", { kind: "plaintext", value: "Quite-Good-Pass-9", from: "pg_users" }),
        role("d", undefined),
      ]),
      { minLength: 12, requiredClasses: ["lower", "upper", "digit", "symbol"] },
    ),
  );
});

test("what password audit guesses first (vendor defaults, common passwords) is refused before any server sees it", () => {
  for (const guessable of ["Patroni.API", "P@ssw0rd", "Password1!", "Pleas3-ChangeThisPwd"]) {
    rejects(
      model([role("app", { kind: "plaintext", value: guessable, from: "pg_users" })]),
      /is on the denylist of known or default passwords \(rule denylisted\)/,
    );
  }
  assert.doesNotThrow(() =>
    checkDeclaredPasswords(model([role("app", { kind: "plaintext", value: "v7-Qm.hR2x_Lk9", from: "pg_users" })])),
  );
});

test("a weak plaintext password fails (exit 3) naming the role and the rule, never the password", () => {
  rejects(
    model([role("app", { kind: "plaintext", value: "app12345", from: "pg_users" })]),
    /^pigsty\.yml:4: app: password from pg_users contains the role name \(rule contains-role-name\)$/,
  );
});

test("every problem of every role is listed, in file order, each at the place its password was written", () => {
  const roles = model([
    role("late", { kind: "plaintext", value: "late", from: "pg_users", source: { file: "pigsty.yml", line: 20 } }),
    role("app", { kind: "plaintext", value: "abcdefghij", from: "pg_users", source: { file: "pigsty.yml", line: 9 } }),
    role("dbuser_dba", {
      kind: "plaintext",
      value: "DBUser.DBA",
      from: "pg_admin_password",
      source: { file: "pigsty.yml", line: 3 },
      pigstyDefault: "pg_admin_password",
    }),
    role("good", {
      kind: "plaintext",
      value: "v7-Qm.hR2x_Lk9",
      from: "pg_users",
      source: { file: "pigsty.yml", line: 12 },
    }),
  ]);
  const problems = declaredPasswordProblems(roles, { requiredClasses: ["digit"] });
  assert.deepEqual(
    problems.map((problem) => [problem.line, problem.rule, problem.severity]),
    [
      [20, "too-short", "error"],
      [20, "contains-role-name", "error"],
      [20, "letters-and-non-letters", "error"],
      [20, "missing-character-class", "error"],
      [9, "letters-and-non-letters", "error"],
      [9, "missing-character-class", "error"],
      [3, "vendor-default", "error"],
      [3, "missing-character-class", "error"],
    ],
    "every problem, none dropped",
  );
  assert.match(
    problems[6]?.message ?? "",
    /^dbuser_dba: password from pg_admin_password \(not set for c: Pigsty's default from roles\/pgsql\/defaults\/main\.yml\) is Pigsty's published default for pg_admin_password: set pg_admin_password in all\.vars or in c's vars \(rule vendor-default\)$/,
  );
  assert.throws(
    () => checkDeclaredPasswords(roles, { requiredClasses: ["digit"] }),
    (error: unknown) => {
      assert.ok(error instanceof PgwardenError);
      assert.equal(error.exitCode, ExitCode.config);
      assert.equal(
        error.message,
        "8 password policy problems in pigsty.yml: nothing was sent to a server; set passwords that pass, then run again",
      );
      assert.deepEqual(
        error.problems?.map((problem) => problem.line),
        [3, 3, 9, 9, 20, 20, 20, 20],
        "in file order",
      );
      assert.ok(
        !JSON.stringify(error.problems).includes("abcdefghij") &&
          !JSON.stringify(error.problems).includes("DBUser.DBA"),
        "no password in any problem",
      );
      return true;
    },
  );
});

test("a password another entry replaces is checked too: the strong later one does not hide the weak earlier one", () => {
  const u1 = {
    ...role("u1", {
      kind: "plaintext",
      value: "Str0ng-Passw0rd-xyz",
      from: "pg_users",
      source: { file: "pigsty.yml", line: 11 },
    }),
    overriddenPasswords: [
      { kind: "plaintext", value: "u1", from: "pg_users", source: { file: "pigsty.yml", line: 9 } },
    ] as const,
  };
  assert.deepEqual(
    declaredPasswordProblems(model([u1])).map((problem) => [problem.line, problem.rule]),
    [
      [9, "too-short"],
      [9, "contains-role-name"],
    ],
  );
  const scram = {
    ...u1,
    overriddenPasswords: [{ kind: "scram", secret: "SCRAM-SHA-256$4096:x$y:z", from: "pg_users" }] as const,
  };
  assert.deepEqual(declaredPasswordProblems(model([scram])), [], "a pre-hashed secret is not checked, replaced or not");
});

test("the model's problems are listed with the password problems: an error among them is invalid-role-model; warnings alone pass", () => {
  const duplicate = (line: number, severity: "error" | "warning") => ({
    file: "pigsty.yml",
    line,
    severity,
    message: `declared twice (${line})`,
    rule: "duplicate-role",
  });
  const weak = role("app", {
    kind: "plaintext",
    value: "short1",
    from: "pg_users",
    source: { file: "pigsty.yml", line: 9 },
  });
  const good = role("app", { kind: "plaintext", value: "v7-Qm.hR2x_Lk9", from: "pg_users" });
  const withProblems = (roles: DesiredRole[], problems: ReturnType<typeof duplicate>[]): RoleModel => ({
    ...model(roles),
    problems,
  });
  const thrown = (roleModel: RoleModel): PgwardenError => {
    try {
      checkDeclaredPasswords(roleModel);
    } catch (error) {
      assert.ok(error instanceof PgwardenError);
      return error;
    }
    assert.fail("expected a refusal");
  };

  const both = thrown(withProblems([weak], [duplicate(9, "error"), duplicate(11, "error")]));
  assert.deepEqual([both.code, both.exitCode], ["invalid-role-model", ExitCode.config]);
  assert.equal(
    both.message,
    "3 problems with the declared roles and their passwords in pigsty.yml: nothing was sent to a server; declare each role once and set passwords that pass, then run again",
  );
  assert.deepEqual(
    both.problems?.map((problem) => [problem.line, problem.rule]),
    [
      [9, "duplicate-role"],
      [9, "too-short"],
      [11, "duplicate-role"],
    ],
  );

  const duplicatesOnly = thrown(withProblems([good], [duplicate(9, "error"), duplicate(11, "error")]));
  assert.equal(
    duplicatesOnly.message,
    "2 problems with the declared roles in pigsty.yml: nothing was sent to a server; declare each role once, then run again",
  );

  const warnedAndWeak = thrown(withProblems([weak], [duplicate(3, "warning")]));
  assert.equal(warnedAndWeak.code, "password-policy");
  assert.deepEqual(
    warnedAndWeak.problems?.map((problem) => problem.severity),
    ["warning", "error"],
    "the warning is listed with the error",
  );

  assert.doesNotThrow(() =>
    checkDeclaredPasswords(withProblems([good], [duplicate(3, "warning"), duplicate(5, "warning")])),
  );
});
