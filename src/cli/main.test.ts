import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

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
  assert.deepEqual(all.commands.map((command) => command.name()).sort(), [
    "audit",
    "ca",
    "cert",
    "crl",
    "hba",
    "password",
    "pg",
    "quickstart",
    "role",
    "sandbox",
    "trust",
  ]);
  const one = await buildProgram(argv("--pki", "ca", "cert", "list"));
  assert.deepEqual(
    one.commands.map((command) => command.name()),
    ["cert"],
  );
  assert.deepEqual(
    one.commands[0]?.commands.map((command) => command.name()),
    ["list"],
  );
});

test("a noun without a verb, or with one it does not have, loads all its verbs (for help and suggestions)", async () => {
  const verbs = async (...args: string[]) =>
    (await buildProgram(argv(...args))).commands[0]?.commands.map((command) => command.name());
  const certVerbs = ["issue", "sign", "inspect", "verify", "list", "export", "revoke", "renew", "needs-renewal"];
  assert.deepEqual(await verbs("cert", "--help"), certVerbs);
  assert.deepEqual(await verbs("cert", "isue"), certVerbs);
  assert.deepEqual(await verbs("cert", "constructor"), certVerbs);
  assert.deepEqual(await verbs("hba", "explain", "x"), ["explain"]);
  assert.deepEqual(await verbs("quickstart"), []);
  // crl's default verb (write, what `pgwarden crl` alone runs) is always there, besides the one named.
  assert.deepEqual(await verbs("crl", "status"), ["write", "status"]);
});

/** The packages (CommonJS ones, as require.cache lists them) that building the program for `args` loads, in a fresh process. */
function packagesLoadedFor(...args: string[]): string[] {
  const script = `
    import { createRequire } from "node:module";
    const { buildProgram } = await import(${JSON.stringify(new URL("./main.js", import.meta.url).href)});
    await buildProgram(${JSON.stringify(argv(...args))});
    const names = Object.keys(createRequire(import.meta.url).cache).map((path) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(path)?.[1]).filter(Boolean);
    process.stdout.write(JSON.stringify([...new Set(names)]));`;
  return JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }),
  ) as string[];
}

test("cert issue loads neither the PostgreSQL client, YAML, nor cert sign's X.509 library; the probe sees them where they are loaded", () => {
  const issue = packagesLoadedFor("cert", "issue");
  for (const heavy of ["pg", "yaml", "@peculiar/x509"]) assert.ok(!issue.includes(heavy), `cert issue loads ${heavy}`);
  assert.ok(packagesLoadedFor("cert", "sign").includes("@peculiar/x509"));
  const everything = packagesLoadedFor("--help");
  assert.ok(everything.includes("pg") && everything.includes("yaml"), everything.join(", "));
});

test("--format json anywhere before --, in either spelling, asks for JSON errors; sarif, text or a later -- do not", async () => {
  const { jsonErrorsRequested } = await import("./main.js");
  assert.equal(jsonErrorsRequested(argv("--format", "json", "cert", "list")), true);
  assert.equal(jsonErrorsRequested(argv("cert", "list", "--format=json")), true);
  assert.equal(jsonErrorsRequested(argv("hba", "lint", "f", "--format", "sarif")), false);
  assert.equal(jsonErrorsRequested(argv("cert", "list")), false);
  assert.equal(jsonErrorsRequested(argv("cert", "inspect", "--", "--format", "json")), false);
});

/** The real binary, run as a user runs it: exit code, stdout, stderr. */
function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const bin = fileURLToPath(new URL("../../../bin/pgwarden.js", import.meta.url));
  const env = { ...process.env, PGWARDEN_DEBUG: undefined };
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("--version and -V print `pgwarden <package.json version>` on stdout and exit 0", async () => {
  const { version } = JSON.parse(await readFile(new URL("../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  assert.match(version, /^\d+\.\d+\.\d+/);
  for (const flag of ["--version", "-V"]) {
    assert.deepEqual(run(flag), { code: 0, stdout: `pgwarden ${version}\n`, stderr: "" }, flag);
  }
});

test("no command is a usage error: help on stderr, nothing on stdout, exit 2; --help and help print it on stdout with exit 0", () => {
  for (const args of [[], ["cert"], ["--pki", "x"]]) {
    const result = run(...args);
    assert.equal(result.code, 2, `pgwarden ${args.join(" ")}`);
    assert.equal(result.stdout, "", `pgwarden ${args.join(" ")}`);
    assert.match(result.stderr, /^Usage: pgwarden /, `pgwarden ${args.join(" ")}`);
  }
  for (const args of [["--help"], ["help"], ["help", "cert"], ["cert", "--help"]]) {
    const result = run(...args);
    assert.equal(result.code, 0, `pgwarden ${args.join(" ")}`);
    assert.equal(result.stderr, "", `pgwarden ${args.join(" ")}`);
    assert.match(result.stdout, /^Usage: pgwarden /, `pgwarden ${args.join(" ")}`);
  }
  assert.match(
    run("--help").stdout,
    /-V, --version[\s\S]*\$ pgwarden --version/,
    "the flag and an example are in the help",
  );
});
