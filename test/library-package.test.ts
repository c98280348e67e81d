/*
 * pgwarden as a package people install: `npm pack` of this checkout, installed into an empty project
 * as a user's `npm install` would, then imported by Node and type-checked by tsc, the README's
 * example included. The install is offline: the tarball's dependencies come from npm's cache (filled
 * by `npm ci`), at the versions this repository's package-lock.json pins. `npm install --offline
 * <tarball>` alone cannot do it: it asks the registry for each dependency's version list, which
 * `npm ci` never fetched, so the project gets a lockfile made from ours instead.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { after, before, test } from "node:test";

import { REPO_ROOT, tempDir } from "./support/cli.js";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly dependencies: Record<string, string>;
  readonly bin: Record<string, string>;
  readonly engines: Record<string, string>;
}

interface LockEntry {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
}

/** This environment without what `npm test` sets for its scripts (npm_config_local_prefix names this checkout), npm's cache aside. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: "false" };
  for (const name of Object.keys(env)) {
    if (name.toLowerCase().startsWith("npm_") && name.toLowerCase() !== "npm_config_cache") delete env[name];
  }
  return env;
}

function run(program: string, args: readonly string[], cwd: string): Run {
  const result = spawnSync(program, args, { cwd, encoding: "utf8", env: childEnv(), timeout: 300_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function succeed(program: string, args: readonly string[], cwd: string): string {
  const result = run(program, args, cwd);
  assert.equal(result.code, 0, `${program} ${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** A password to hash; ASCII, so that SASLprep leaves it as it is and the check below needs none. */
const PASSWORD = "correct horse battery staple";

const TSC = join(REPO_ROOT, "node_modules", ".bin", "tsc");

let work: { dir: string; cleanup: () => Promise<void> };
/** The project the package is installed in. */
let project: string;
/** What `npm pack --json` says the tarball holds. */
let packed: { filename: string; files: { path: string }[] };

/**
 * The README's TypeScript example: the first ```ts block of its "## Library" section, so the
 * test follows the README and fails when the README's code does not compile or run.
 */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Library\n"));
  assert.ok(section, 'README.md has a "## Library" section');
  const code = /^```ts\n([\s\S]*?)^```$/m.exec(section)?.[1];
  assert.ok(code, "the Library section has a ```ts example");
  return code;
}

before(async () => {
  work = await tempDir("pgwarden-library-");
  const packDir = join(work.dir, "pack");
  project = join(work.dir, "project");
  await mkdir(packDir);
  await mkdir(project);
  [packed] = JSON.parse(succeed("npm", ["pack", "--json", "--pack-destination", packDir], REPO_ROOT)) as [
    typeof packed,
  ];
  const tarball = join(packDir, packed.filename);
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as PackageJson;
  const lock = JSON.parse(await readFile(join(REPO_ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const spec = `file:${relative(project, tarball)}`;
  const runtime = Object.entries(lock.packages).filter(
    ([path, entry]) => path !== "" && !entry.dev && !entry.devOptional,
  );
  const projectLock = {
    name: "library-user",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "library-user", dependencies: { [pkg.name]: spec } },
      [`node_modules/${pkg.name}`]: {
        version: pkg.version,
        resolved: spec,
        integrity: `sha512-${createHash("sha512")
          .update(await readFile(tarball))
          .digest("base64")}`,
        license: pkg.license,
        dependencies: pkg.dependencies,
        bin: pkg.bin,
        engines: pkg.engines,
      },
      ...Object.fromEntries(runtime),
    },
  };
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "library-user", private: true, type: "module", dependencies: { [pkg.name]: spec } }),
  );
  await writeFile(join(project, "package-lock.json"), JSON.stringify(projectLock, null, 2));
  succeed("npm", ["ci", "--offline", "--no-audit", "--no-fund"], project);
});

after(async () => {
  await work?.cleanup();
});

test("the packed package holds the library with its declarations, the bin, the schemas and the README, and no tests", () => {
  const paths = packed.files.map((file) => file.path);
  for (const path of [
    "package.json",
    "README.md",
    "bin/pgwarden.js",
    "dist/src/index.js",
    "dist/src/index.d.ts",
    "dist/src/cli/main.js",
    "schemas/error.schema.json",
  ])
    assert.ok(paths.includes(path), `${path} is in the package`);
  assert.deepEqual(
    paths.filter((path) => /\.test\.|^test\/|^dist\/test\/|^bench\/|^dist\/bench\//.test(path)),
    [],
    "no tests or benchmarks in the package",
  );
});

test('import("pgwarden") in a fresh project: real verifiers, errors of the one PgwardenError class, deep imports refused', async () => {
  const script = `
    import * as pgwarden from "pgwarden";
    const { md5Secret, scramVerifier, scramMatches, parseScramVerifier, loadCa, pkiLayout, PgwardenError, ExitCode } = pgwarden;
    const password = ${JSON.stringify(PASSWORD)};
    const verifier = scramVerifier(password, { iterations: 4096 });
    let error;
    await loadCa(pkiLayout("no-pki-here")).catch((caught) => (error = caught));
    let deep;
    await import("pgwarden/dist/src/pki/encoding/der.js").catch((caught) => (deep = caught.code));
    console.log(JSON.stringify({
      exports: Object.keys(pgwarden).sort(),
      verifier,
      matches: scramMatches(password, parseScramVerifier(verifier)),
      wrongMatches: scramMatches("wrong", parseScramVerifier(verifier)),
      md5: md5Secret(password, "dbuser_app"),
      error: { isPgwardenError: error instanceof PgwardenError, code: error?.code, exitCode: error?.exitCode, notFound: ExitCode.notFound },
      deep,
    }));
  `;
  await writeFile(join(project, "use.mjs"), script);
  const out = JSON.parse(succeed(process.execPath, ["use.mjs"], project)) as {
    exports: string[];
    verifier: string;
    matches: boolean;
    wrongMatches: boolean;
    md5: string;
    error: { isPgwardenError: boolean; code: string; exitCode: number; notFound: number };
    deep: string;
  };
  for (const name of ["initCa", "issueCertificate", "verifyCertificate", "renderHba", "lintHba", "explainConnection"])
    assert.ok(out.exports.includes(name), `${name} is exported`);
  for (const name of ["planRoles", "applyRoles", "scramVerifier", "auditPasswords", "planTls", "applyTls"])
    assert.ok(out.exports.includes(name), `${name} is exported`);

  // The verifier PostgreSQL stores (RFC 5802 / 7677), derived here again from its own salt and iterations.
  const match = /^SCRAM-SHA-256\$4096:([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*):([A-Za-z0-9+/]+=*)$/.exec(out.verifier);
  assert.ok(match, `${out.verifier} has PostgreSQL's SCRAM-SHA-256 verifier format`);
  const [, salt, storedKey, serverKey] = match as unknown as [string, string, string, string];
  assert.equal(Buffer.from(salt, "base64").length, 16, "a 16-byte salt, as PostgreSQL makes");
  const salted = pbkdf2Sync(PASSWORD, Buffer.from(salt, "base64"), 4096, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  assert.equal(storedKey, createHash("sha256").update(clientKey).digest("base64"));
  assert.equal(serverKey, createHmac("sha256", salted).update("Server Key").digest("base64"));
  assert.equal(out.matches, true);
  assert.equal(out.wrongMatches, false);
  const md5 = `md5${createHash("md5").update(`${PASSWORD}dbuser_app`).digest("hex")}`;
  assert.equal(out.md5, md5, "md5 secret: md5(password || role name)");

  assert.deepEqual(out.error, { isPgwardenError: true, code: "ca-missing", exitCode: 4, notFound: 4 });
  assert.equal(out.deep, "ERR_PACKAGE_PATH_NOT_EXPORTED", "a path inside the package is refused by its exports map");

  const version = succeed(join(project, "node_modules", ".bin", "pgwarden"), ["--version"], project);
  assert.match(version, /^pgwarden \d+\.\d+\.\d+\n$/, "the installed bin runs");
});

test("issueBatch signs on worker threads from the installed package: 64 client certificates, all verified by openssl", async () => {
  const pki = join(work.dir, "batch-pki");
  const script = `
    import { initCa, issueBatch, pkiLayout, prepareLeaf, PROFILES } from "pgwarden";
    const layout = pkiLayout(${JSON.stringify(pki)});
    const { ca } = await initCa(layout);
    const leaves = Array.from({ length: 64 }, (_, index) =>
      prepareLeaf(layout, { profile: PROFILES.client, commonName: "dbuser_" + index }));
    const { issued, skipped } = await issueBatch(layout, ca, leaves, { workers: 2 });
    console.log(JSON.stringify({ issued: issued.map((result) => result.certPath), skipped: skipped.length }));
  `;
  await writeFile(join(project, "batch.mjs"), script);
  const out = JSON.parse(succeed(process.execPath, ["batch.mjs"], project)) as { issued: string[]; skipped: number };
  assert.equal(out.issued.length, 64);
  assert.equal(out.skipped, 0);
  const verified = succeed(
    "openssl",
    ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", join(pki, "ca", "ca.crt"), ...out.issued],
    project,
  );
  assert.deepEqual(
    verified.trimEnd().split("\n"),
    out.issued.map((path) => `${path}: OK`),
  );
});

test("the library imports nothing of the command line: no module reachable from its index is under dist/src/cli", async () => {
  const root = join(project, "node_modules", "pgwarden", "dist", "src");
  const seen = new Set<string>();
  const queue = [join(root, "index.js")];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await readFile(file, "utf8");
    for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g))
      queue.push(join(dirname(file), specifier as string));
  }
  assert.ok(seen.size > 50, `the walk follows the imports (${seen.size} modules)`);
  assert.deepEqual(
    [...seen].map((file) => relative(root, file)).filter((file) => file.startsWith("cli/")),
    [],
  );
});

/** tsc over the README's example and a misuse of the same API, once for the tests below. */
let compiled: Promise<Run> | undefined;
function compileExamples(): Promise<Run> {
  compiled ??= (async () => {
    await writeFile(join(project, "readme-example.ts"), await readmeExample());
    await writeFile(
      join(project, "misuse.ts"),
      [
        'import { issueCertificate, loadCa, pkiLayout } from "pgwarden";',
        'import { toPem } from "pgwarden/dist/src/pki/encoding/der.js";',
        'const layout = pkiLayout("pki");',
        "const ca = await loadCa(layout);",
        "// A profile is one of PROFILES, not its name.",
        'await issueCertificate(layout, ca, { profile: "client", commonName: "dbuser_dba" });',
        "console.log(toPem);",
        "",
      ].join("\n"),
    );
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          skipLibCheck: false,
          outDir: "out",
        },
        files: ["readme-example.ts", "misuse.ts"],
      }),
    );
    return run(TSC, ["-p", "tsconfig.json", "--pretty", "false"], project);
  })();
  return compiled;
}

test("the README's example type-checks with tsc --strict (NodeNext) against the installed declarations; a misuse does not", async () => {
  const result = await compileExamples();
  const errors = result.stdout.split("\n").filter((line) => / error TS\d+:/.test(line));
  assert.deepEqual(
    errors.filter((line) => !line.startsWith("misuse.ts")),
    [],
    "no error in the README's example or in the package's declarations",
  );
  assert.ok(
    errors.some((line) =>
      /^misuse\.ts\(6,\d+\): error TS2322: Type 'string' is not assignable to type 'Profile'/.test(line),
    ),
    `a string where a Profile goes is refused:\n${result.stdout}`,
  );
  assert.ok(
    errors.some((line) =>
      /^misuse\.ts\(2,\d+\): error TS2307: Cannot find module 'pgwarden\/dist\/src\/pki\/encoding\/der\.js'/.test(line),
    ),
    `a deep import is refused by tsc too:\n${result.stdout}`,
  );
});

test("the README's example runs: the inventory's critical rule at its line, and a client certificate openssl verifies", async () => {
  await compileExamples();
  const cwd = join(work.dir, "example-run");
  await mkdir(cwd);
  await writeFile(
    join(cwd, "pigsty.yml"),
    [
      "all:",
      "  children:",
      "    pg-meta:",
      "      hosts:",
      "        10.10.10.10: { pg_seq: 1, pg_role: primary }",
      "      vars:",
      "        pg_cluster: pg-meta",
      "        pg_hba_rules:",
      "          - { user: all, db: all, addr: world, auth: trust, title: everyone without a password }",
      "",
    ].join("\n"),
  );
  const stdout = succeed(process.execPath, [join(project, "out", "readme-example.js")], cwd);
  const lines = stdout.trimEnd().split("\n");
  const certificate = join(cwd, "pki", "client", "dbuser_dba.crt");
  // world is 0.0.0.0/0 and ::/0: two lines rendered from the one rule at line 9.
  assert.deepEqual(lines.slice(0, -1), [
    "pigsty.yml:9: trust-from-network: 0.0.0.0/0 may connect without any authentication",
    "pigsty.yml:9: trust-from-network: ::/0 may connect without any authentication",
  ]);
  assert.match(lines.at(-1) ?? "", new RegExp(`^${certificate} valid until \\d{4}-\\d\\d-\\d\\dT`));
  const ca = join(cwd, "pki", "ca", "ca.crt");
  assert.equal(
    succeed("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", ca, certificate], cwd),
    `${certificate}: OK\n`,
  );
  assert.match(succeed("openssl", ["x509", "-noout", "-subject", "-in", certificate], cwd), /CN\s*=\s*dbuser_dba/);
});
