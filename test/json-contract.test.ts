/*
 * The JSON output contract, through the real CLI: every command that accepts --format json is run
 * on real inputs (a PKI made here; a quickstart sandbox, a real PostgreSQL, for those that need a
 * server) and its stdout validated against its documented shape (src/cli/json-shapes/, strict:
 * a field that is not documented fails); errors are validated against the error shape.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, test } from "node:test";

import type { Command } from "commander";

import { ERROR_SHAPE, JSON_SHAPES } from "../src/cli/json-shapes/index.js";
import { schemaFileName, schemaFiles } from "../src/cli/json-shapes/schema-files.js";
import { buildProgram } from "../src/cli/main.js";
import { type CliResult, pgwarden, REPO_ROOT, tempDir } from "./support/cli.js";
import { runClient } from "./support/pg-cluster.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "pigsty");

/** Commands whose document was validated by a run below; the last test requires all of them. */
const validated = new Set<string>();

/** The shape of `command`, or a failure naming what is missing. */
function shapeOf(command: string) {
  const shape = JSON_SHAPES[command];
  assert.ok(
    shape,
    `no documented JSON shape for "${command}": add src/cli/json-shapes/<noun>-<verb>.ts and its line in index.ts`,
  );
  return shape;
}

/** Runs `args` (which must hold --format json), checks the exit code, and validates stdout as `command`'s one document. */
async function runJson(
  command: string,
  args: readonly string[],
  expectedCode = 0,
  options: { input?: string } = {},
): Promise<Record<string, unknown>> {
  const result = await pgwarden(args, { timeoutMs: 240_000, ...options });
  assert.equal(result.code, expectedCode, `${args.join(" ")}: exit ${result.code}\n${result.stderr}`);
  let document: unknown;
  assert.doesNotThrow(
    () => (document = JSON.parse(result.stdout)),
    `${command}: stdout is one JSON document:\n${result.stdout.slice(0, 500)}`,
  );
  const parsed = shapeOf(command).safeParse(document);
  assert.ok(
    parsed.success,
    `${command}: stdout does not match schemas/${schemaFileName(command)}:\n${parsed.error?.message}`,
  );
  assertWarningsOnBothSides(result, document as { warnings: string[] });
  validated.add(command);
  return document as Record<string, unknown>;
}

/** One rule for warnings: each is on stderr as `pgwarden: warning: ...` and, with --format json, in the document's `warnings`. */
function assertWarningsOnBothSides(result: CliResult, document: { warnings: string[] }): void {
  const onStderr = result.stderr
    .split("\n")
    .filter((line) => line.startsWith("pgwarden: warning: "))
    .map((line) => line.slice("pgwarden: warning: ".length));
  assert.deepEqual(
    document.warnings.map((warning) => warning.replace(/\n/g, "\\n")),
    onStderr,
    "the document's warnings are the ones stderr showed",
  );
}

/** An error with --format json: nothing on stdout, and stderr's last line is the error object, whose exit code is the process's. */
function assertJsonError(
  result: CliResult,
  exitCode: number,
  code: string | RegExp,
): { code: string; message: string; exitCode: number } {
  assert.equal(result.code, exitCode, result.stderr);
  assert.equal(result.stdout, "", "no document on stdout");
  const lines = result.stderr.trimEnd().split("\n");
  const parsed = ERROR_SHAPE.safeParse(JSON.parse(lines.at(-1) ?? ""));
  assert.ok(parsed.success, `the error matches schemas/error.schema.json: ${result.stderr}`);
  const { error } = parsed.data as { error: { code: string; message: string; exitCode: number } };
  assert.equal(error.exitCode, exitCode);
  assert.match(error.code, typeof code === "string" ? new RegExp(`^${code}$`) : code);
  assert.doesNotMatch(result.stderr, /pgwarden: error:/, "no text error beside the JSON one");
  return error;
}

/** Every leaf command of the CLI (`noun verb`, or `quickstart`) with whether it takes --format json. */
async function commandTree(): Promise<{ name: string; json: boolean }[]> {
  const program = await buildProgram(["node", "pgwarden", "--help"]);
  const leaves: { name: string; json: boolean }[] = [];
  const walk = (command: Command, path: string[]) => {
    if (command.commands.length === 0) {
      const format = command.options.find((option) => option.long === "--format");
      const choices = format?.argChoices;
      leaves.push({
        name: path.join(" "),
        json: format !== undefined && (choices === undefined || choices.includes("json")),
      });
      return;
    }
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return leaves;
}

test("every command that takes --format json has a documented shape, and every shape a command", async () => {
  const commands = await commandTree();
  const withJson = commands.filter((command) => command.json).map((command) => command.name);
  assert.ok(withJson.length >= 20, withJson.join(", "));
  for (const name of withJson) shapeOf(name);
  assert.deepEqual(
    Object.keys(JSON_SHAPES).filter((name) => !commands.some((command) => command.name === name)),
    [],
    "shapes for commands that do not exist",
  );
});

test("schemas/ holds exactly the JSON Schemas generated from the shapes (run npm run schemas after changing one)", async () => {
  const expected = schemaFiles();
  const dir = join(REPO_ROOT, "schemas");
  assert.deepEqual((await readdir(dir)).sort(), [...expected.keys()].sort());
  for (const [name, text] of expected)
    assert.equal(await readFile(join(dir, name), "utf8"), text, `schemas/${name} is stale`);
});

test("the README states the contract and links the schemas", async () => {
  const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
  assert.match(readme, /### JSON output[\s\S]*\(schemas\/\)[\s\S]*schemas\/error\.schema\.json/);
});

describe("offline commands, on a PKI made here", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let pki: string;
  const json = (...args: string[]) => ["--pki", pki, ...args, "--format", "json"];

  before(async () => {
    work = await tempDir("pgwarden-json-contract-");
    pki = join(work.dir, "pki");
  });
  after(() => work.cleanup());

  test("ca init, ca show", async () => {
    const init = await runJson("ca init", json("ca", "init"));
    assert.equal(init.action, "created");
    await runJson("ca show", json("ca", "show"));
  });

  test("ca init --intermediates, ca intermediate create (on a PKI of their own)", async () => {
    const own = join(work.dir, "pki-intermediates");
    const args = (...rest: string[]) => ["--pki", own, ...rest, "--format", "json"];
    const init = await runJson("ca init", args("ca", "init", "--intermediates", "--no-passphrase"));
    assert.deepEqual(
      (init.intermediates as { name: string }[]).map((made) => made.name),
      ["server", "client"],
    );
    const made = await runJson("ca intermediate create", args("ca", "intermediate", "create", "--name", "scoped"));
    assert.equal(made.name, "scoped");
  });

  test("ca rotate, ca rotate --intermediate, ca retire (on a PKI of their own)", async () => {
    const own = join(work.dir, "pki-rotation");
    const args = (...rest: string[]) => ["--pki", own, ...rest, "--format", "json"];
    await runJson("ca init", args("ca", "init", "--intermediates", "--no-passphrase"));
    assert.equal((await runJson("ca rotate", args("ca", "rotate"))).issuer, "ca");
    assert.equal((await runJson("ca rotate", args("ca", "rotate", "--intermediate", "server"))).issuer, "server");
    assert.equal((await runJson("ca retire", args("ca", "retire", "pgwarden-ca-server"))).issuerName, "server");
  });

  test("cert issue answers {issued, skipped} for one --cn as for --cn-file; a warning is on stderr and in the document", async () => {
    const one = (await runJson(
      "cert issue",
      json("cert", "issue", "--profile", "server", "--cn", "db1", "--san", "127.0.0.1"),
    )) as { issued: unknown[]; skipped: unknown[] };
    assert.equal(one.issued.length, 1);
    assert.deepEqual(one.skipped, []);
    const names = join(work.dir, "users.txt");
    await writeFile(names, "app1\napp2\n");
    const batch = (await runJson("cert issue", json("cert", "issue", "--profile", "client", "--cn-file", names))) as {
      issued: unknown[];
    };
    assert.equal(batch.issued.length, 2);
    const again = (await runJson("cert issue", json("cert", "issue", "--profile", "client", "--cn-file", names))) as {
      issued: unknown[];
      skipped: unknown[];
    };
    assert.deepEqual([again.issued.length, again.skipped.length], [0, 2]);
    const ed = (await runJson(
      "cert issue",
      json("cert", "issue", "--profile", "server", "--cn", "ed", "--key-type", "ed25519"),
    )) as { warnings: string[] };
    assert.ok(
      ed.warnings.some((warning) => /Ed25519/i.test(warning)),
      `an Ed25519 server certificate is warned about: ${ed.warnings.join("; ")}`,
    );
  });

  test("cert issue --inventory answers {dryRun, certificates, clusterKeys} for a dry run and for the run itself", async () => {
    const fleet = ["cert", "issue", "--inventory", join(FIXTURES, "trio.yml"), "--cluster", "pg-test"];
    const planned = (await runJson("cert issue", json(...fleet, "--dry-run"))) as {
      dryRun: boolean;
      certificates: { action: string }[];
    };
    assert.equal(planned.dryRun, true);
    assert.ok(planned.certificates.length > 0 && planned.certificates.every((item) => item.action === "issue"));
    const issued = (await runJson("cert issue", json(...fleet))) as {
      certificates: { action: string; serial: string | null }[];
    };
    assert.ok(issued.certificates.every((item) => item.action === "issue" && item.serial !== null));
  });

  test("cert sign", async () => {
    const key = join(work.dir, "req.key");
    const csr = join(work.dir, "req.csr");
    const made = await runClient("openssl", [
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      key,
      "-subj",
      "/CN=signed",
      "-out",
      csr,
    ]);
    assert.equal(made.code, 0, made.stderr);
    const signed = await runJson("cert sign", json("cert", "sign", csr, "--profile", "client"));
    assert.equal(signed.keyPath, null);
  });

  test("cert inspect answers {certificates: [...]} for one certificate as for a chain", async () => {
    const one = (await runJson("cert inspect", json("cert", "inspect", join(pki, "server", "db1.crt")))) as {
      certificates: unknown[];
    };
    assert.equal(one.certificates.length, 1);
    const chain = join(work.dir, "chain.pem");
    await writeFile(
      chain,
      (await readFile(join(pki, "server", "db1.crt"), "utf8")) + (await readFile(join(pki, "ca", "ca.crt"), "utf8")),
    );
    const two = (await runJson("cert inspect", json("cert", "inspect", chain))) as { certificates: unknown[] };
    assert.equal(two.certificates.length, 2);
  });

  test("cert verify, passing (exit 0) and failing (exit 1), one shape", async () => {
    const good = await runJson(
      "cert verify",
      json("cert", "verify", join(pki, "server", "db1.crt"), "--purpose", "server", "--host", "127.0.0.1"),
    );
    assert.equal(good.ok, true);
    const bad = await runJson(
      "cert verify",
      json("cert", "verify", join(pki, "server", "db1.crt"), "--purpose", "server", "--host", "other.example.com"),
      1,
    );
    assert.equal(bad.ok, false);
  });

  test("cert list answers {certificates: [...]}", async () => {
    const list = (await runJson("cert list", json("cert", "list"))) as { certificates: { commonName: string }[] };
    assert.ok(list.certificates.some((entry) => entry.commonName === "db1"));
  });

  test("cert revoke, crl (write and --print-timer), crl status, and cert list / ca show with a revoked certificate", async () => {
    await runJson("crl write", json("crl"));
    const revoked = (await runJson("cert revoke", json("cert", "revoke", "--cn", "db1", "--reason", "superseded"))) as {
      crls: { number: number }[];
    };
    assert.equal(revoked.crls[0]?.number, 2);
    const again = (await runJson("cert revoke", json("cert", "revoke", "--cn", "db1"))) as { alreadyRevoked: boolean };
    assert.equal(again.alreadyRevoked, true);
    await runJson("crl write", json("crl", "--print-timer"));
    const status = (await runJson("crl status", json("crl", "status"))) as { ok: boolean };
    assert.equal(status.ok, true);
    const list = (await runJson("cert list", json("cert", "list", "--status", "revoked"))) as {
      certificates: { commonName: string; status: string }[];
    };
    assert.deepEqual(
      list.certificates.map((entry) => [entry.commonName, entry.status]),
      [["db1", "revoked"]],
    );
    const show = (await runJson("ca show", json("ca", "show"))) as { issuers: { crl: { number: number } }[] };
    assert.equal(show.issuers[0]?.crl.number, 2);
  });

  test("cert export --format json: the files with octal string modes; --key-format pk8 adds JDBC's", async () => {
    const bundle = (await runJson(
      "cert export",
      json("cert", "export", "--cn", "app1", "--out", join(work.dir, "bundle"), "--key-format", "pk8"),
    )) as {
      files: { path: string; mode: string }[];
      jdbc?: string;
    };
    const modes = Object.fromEntries(bundle.files.map((file) => [basename(file.path), file.mode]));
    assert.deepEqual(modes, {
      "postgresql.crt": "0644",
      "postgresql.key": "0600",
      "postgresql.pk8": "0600",
      // The PKI has a CRL (cert revoke ran above): clients get it as root.crl.
      "root.crl": "0644",
      "root.crt": "0644",
    });
    assert.match(bundle.jdbc ?? "", /^jdbc:postgresql:/);
  });

  test("cert export --format pem|pk8, its old meaning, is refused naming --key-format (exit 2), never taken for another", async () => {
    for (const old of ["pk8", "pem"]) {
      const result = await pgwarden([
        "--pki",
        pki,
        "cert",
        "export",
        "--cn",
        "app1",
        "--out",
        join(work.dir, `old-${old}`),
        "--format",
        old,
      ]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`--key-format ${old}`));
      assert.equal(result.stdout, "");
    }
  });

  test("trust print, trust install --root", async () => {
    await runJson("trust print", json("trust", "print", "--os", "debian"));
    await runJson("trust install", json("trust", "install", "--os", "el", "--root", join(work.dir, "image-root")));
  });

  test("password generate, password hash (its md5 warning on stderr and in the document)", async () => {
    await runJson("password generate", json("password", "generate"));
    await runJson("password hash", json("password", "hash"), 0, { input: "a-long-Passphrase-42\n" });
    const md5 = (await runJson("password hash", json("password", "hash", "--method", "md5", "--user", "app"), 0, {
      input: "a-long-Passphrase-42\n",
    })) as { warnings: string[] };
    assert.ok(md5.warnings.some((warning) => /md5/.test(warning)));
  });

  test("hba render (no parser objects), hba lint, hba explain and hba explain --matrix, offline", async () => {
    const rendered = (await runJson(
      "hba render",
      json(
        "hba",
        "render",
        "--inventory",
        join(FIXTURES, "safe.yml"),
        "--cluster",
        "pg-meta",
        "--instance",
        "pg-meta-1",
      ),
    )) as {
      text: string;
      warnings: string[];
    };
    assert.ok(rendered.warnings.length > 0, "safe.yml renders with a warning");
    const file = join(work.dir, "pg_hba.conf");
    await writeFile(file, rendered.text);
    await runJson("hba lint", json("hba", "lint", file), 1);
    const ignoring = (await runJson(
      "hba lint",
      json("hba", "lint", file, "--ignore", "wide-address", "--fail-on", "critical"),
    )) as { suppressed: unknown[] };
    assert.ok(ignoring.suppressed.length > 0, "--ignore lists what it suppressed");
    await runJson("hba lint", json("hba", "lint", "--list-checks"));
    await runJson(
      "hba explain",
      json("hba", "explain", file, "--user", "dbuser_dba", "--db", "meta", "--addr", "10.10.10.10", "--tls"),
    );
    await runJson(
      "hba explain",
      json(
        "hba",
        "explain",
        "--matrix",
        "--inventory",
        join(FIXTURES, "trio.yml"),
        "--cluster",
        "pg-test",
        "--instance",
        "pg-test-1",
      ),
    );
  });

  test("cert needs-renewal (exit 1 when not due), cert renew", async () => {
    const due = (await runJson(
      "cert needs-renewal",
      json("cert", "needs-renewal", "--cn", "app1", "--before", "400d"),
    )) as {
      due: boolean;
    };
    assert.equal(due.due, true);
    await runJson("cert needs-renewal", json("cert", "needs-renewal", "--cn", "app1"), 1);
    // db1 was revoked above: due at once, however long it would last.
    await runJson("cert needs-renewal", json("cert", "needs-renewal", "--cn", "db1"), 0);
    const renewed = (await runJson("cert renew", json("cert", "renew", "--cn", "db1", "--rekey", "--revoke-old"))) as {
      renewed: unknown[];
    };
    assert.equal(renewed.renewed.length, 1);
  });

  test("errors with --format json: one object on stderr with code, message and the exit code; nothing on stdout", async () => {
    assertJsonError(await pgwarden(["--format", "json", "cert", "list", "--frobnicate"]), 2, "unknown-option");
    assertJsonError(await pgwarden(["--format=json", "cert", "issue", "--cn", "x"]), 2, "profile-required");
    assertJsonError(await pgwarden(json("cert", "inspect", join(work.dir, "nothing-here.crt"))), 4, /./);
    assertJsonError(
      await pgwarden(["--pki", join(work.dir, "no-pki"), "ca", "show", "--format", "json"]),
      4,
      "pki-missing",
    );
    const refused = assertJsonError(
      await pgwarden(json("cert", "export", "--cn", "app1", "--out", join(work.dir, "x"), "--key-format", "der")),
      2,
      "invalid-argument",
    );
    assert.match(refused.message, /--key-format/);
    // Without --format json, the same error stays one text line.
    const text = await pgwarden(["--pki", join(work.dir, "no-pki"), "ca", "show"]);
    assert.equal(text.code, 4);
    assert.match(text.stderr, /^pgwarden: error: no CA in /);
  });
});

describe("commands that need a server, against a quickstart sandbox (a real PostgreSQL)", () => {
  const dir = join(tmpdir(), `pgwarden-json-contract-${randomBytes(4).toString("hex")}`);
  const pki = join(dir, "pki");
  const sandboxDir = join(dir, "sandbox");
  const inventory = join(dir, "pgwarden.yml");
  let conn: string;
  let pgdata: string;
  const json = (...args: string[]) => ["--pki", pki, ...args, "--format", "json"];

  before(async () => {
    const quickstart = await runJson("quickstart", ["quickstart", "--dir", dir, "--format", "json"]);
    assert.equal((quickstart.session as { currentUser: string }).currentUser, "dbuser_dba");
    assert.equal("layout" in quickstart, false, "no internal PKI layout object");
    const state = JSON.parse(await readFile(join(sandboxDir, "sandbox.json"), "utf8")) as {
      port: number;
      pgdata: string;
      superuser: string;
    };
    pgdata = state.pgdata;
    conn =
      `postgresql://${state.superuser}@127.0.0.1:${state.port}/postgres?sslmode=verify-full&sslrootcert=${join(pki, "ca", "ca.crt")}` +
      `&sslcert=${join(pki, "sandbox", `${state.superuser}.crt`)}&sslkey=${join(pki, "sandbox", `${state.superuser}.key`)}`;
  });
  after(async () => {
    await pgwarden(["sandbox", "down", "--dir", sandboxDir, "--purge"]);
    await rm(dir, { recursive: true, force: true });
  });

  test("sandbox up (already running), sandbox status", async () => {
    const up = await runJson("sandbox up", json("sandbox", "up", "--dir", sandboxDir));
    assert.equal(up.action, "running");
    await runJson("sandbox status", json("sandbox", "status", "--dir", sandboxDir));
  });

  test("pg tls: --pgdata --dry-run, --conn --dry-run and --print answer in one shape", async () => {
    const byPgdata = await runJson(
      "pg tls",
      json("pg", "tls", "--pgdata", pgdata, "--cn", "localhost", "--san", "127.0.0.1", "--dry-run"),
    );
    const modes = (byPgdata.plan as { files: { mode: string }[] }).files.map((file) => file.mode);
    assert.ok(modes.length > 0 && modes.every((mode) => mode === "0600"), modes.join(", "));
    await runJson("pg tls", json("pg", "tls", "--conn", conn, "--cn", "localhost", "--san", "127.0.0.1", "--dry-run"));
    const issued = await pgwarden([
      "--pki",
      pki,
      "cert",
      "issue",
      "--profile",
      "peer",
      "--cn",
      "etcd-1",
      "--san",
      "127.0.0.1",
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    const printed = await runJson("pg tls", json("pg", "tls", "--print", "etcd", "--cn", "etcd-1"));
    assert.match((printed.snippet as { text: string }).text, /etcd-1\.crt/);
  });

  test("hba lint, hba explain and hba apply against the server", async () => {
    await runJson("hba lint", json("hba", "lint", "--conn", conn));
    await runJson(
      "hba explain",
      json(
        "hba",
        "explain",
        "--conn",
        conn,
        "--user",
        "dbuser_dba",
        "--db",
        "postgres",
        "--addr",
        "127.0.0.1",
        "--cert",
        "dbuser_dba",
      ),
    );
    const rendered = await runJson(
      "hba render",
      json("hba", "render", "--inventory", inventory, "--cluster", "pg-sandbox"),
    );
    const file = join(dir, "rendered.pg_hba.conf");
    await writeFile(file, rendered.text as string);
    await runJson("hba apply", json("hba", "apply", file, "--conn", conn));
  });

  test("pg conninfo", async () => {
    const info = (await runJson("pg conninfo", json("pg", "conninfo", "--conn", conn))) as {
      ssl: boolean;
      socket: boolean;
    };
    assert.equal(info.socket, false);
  });

  test("pg sessions", async () => {
    const listed = (await runJson("pg sessions", json("pg", "sessions", "--conn", conn))) as { sessions: unknown[] };
    assert.ok(listed.sessions.length >= 1, "pgwarden's own session at least");
    await runJson("pg sessions", json("pg", "sessions", "--conn", conn, "--terminate"));
  });

  test("role plan, role apply, password audit", async () => {
    await runJson(
      "role plan",
      json("role", "plan", "--inventory", inventory, "--cluster", "pg-sandbox", "--conn", conn),
    );
    await runJson(
      "role apply",
      json("role", "apply", "--inventory", inventory, "--cluster", "pg-sandbox", "--conn", conn),
    );
    await runJson("password audit", json("password", "audit", "--conn", conn, "--fail-on", "critical"));
  });

  test("audit", async () => {
    const report = (await runJson("audit", json("audit", "--conn", conn))) as { targets: { reachable: boolean }[] };
    assert.equal(report.targets[0]?.reachable, true);
  });

  test("a server error with --format json is the error object too (connection refused, exit 5)", async () => {
    assertJsonError(
      await pgwarden(json("password", "audit", "--conn", "postgresql://postgres@127.0.0.1:1/postgres")),
      5,
      /./,
    );
  });

  test("sandbox down", async () => {
    const down = await runJson("sandbox down", json("sandbox", "down", "--dir", sandboxDir));
    assert.equal(down.wasRunning, true);
  });
});

test("every documented shape was validated against a real run", () => {
  assert.deepEqual(
    Object.keys(JSON_SHAPES).filter((command) => !validated.has(command)),
    [],
  );
});
