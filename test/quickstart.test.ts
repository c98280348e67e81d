import assert from "node:assert/strict";
import { randomBytes, X509Certificate } from "node:crypto";
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import { pgwarden, REPO_ROOT, snapshot } from "./support/cli.js";
import { runClient } from "./support/pg-cluster.js";

// Straight under the temp dir: the sandbox inside runs as the postgres account, which must enter it.
const dir = join(tmpdir(), `pgwarden-quickstart-test-${randomBytes(4).toString("hex")}`);

after(async () => {
  await pgwarden(["sandbox", "down", "--dir", join(dir, "sandbox"), "--purge"]);
  await rm(dir, { recursive: true, force: true });
});

/** The psql line quickstart printed, split into its conninfo (no shell involved). */
function pastedConninfo(stdout: string): string {
  const line = /^ {2}psql "([^"]+)"$/m.exec(stdout)?.[1];
  assert.ok(line, `no psql line in:\n${stdout}`);
  return line;
}

/** The fenced `sh` blocks of the README's "Two commands" section, in order. */
async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
  const section = /^## Two commands[^\n]*\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => (match[1] ?? "").trim());
}

test("the README gives exactly two commands: setup then npm start (quickstart), setup --tests then npm test (what CI runs)", async () => {
  assert.deepEqual(await readmeCommands(), [
    "bash scripts/setup.sh && npm start",
    "bash scripts/setup.sh --tests && npm test",
  ]);
  const scripts = (
    JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;
  assert.equal(scripts.start, "npm run build --silent && node bin/pgwarden.js quickstart");
  const ci = await readFile(join(REPO_ROOT, ".ci", "run"), "utf8");
  assert.match(ci, /^bash scripts\/setup\.sh --tests\nnpm test\n$/m);
});

test("npm start: CA, sandbox, rules and roles from an inventory, two logins; what it prints is what the server says", async () => {
  // What `npm start` runs after its build (the test above pins the script): rebuilding dist/
  // here would pull files from under the test files that run beside this one.
  const first = await pgwarden(["quickstart"], {
    cwd: REPO_ROOT,
    env: { PGWARDEN_QUICKSTART_DIR: dir },
    timeoutMs: 240_000,
  });
  assert.equal(first.code, 0, first.stderr);
  for (const made of [
    /CA \(created\)/,
    /sandbox \(created\)/,
    /inventory \(written\)/,
    /role dbuser_dba \(created\)/,
    /client certificate \(issued\)/,
  ])
    assert.match(first.stdout, made);
  const printed = {
    user: /current_user:\s+(\S+)/.exec(first.stdout)?.[1],
    tls: /TLS \(pg_stat_ssl\):\s+(\S+), (\S+)/.exec(first.stdout),
    clientUntil: /client certificate: until (\S+) \((\d+) days\)/.exec(first.stdout),
  };
  assert.equal(printed.user, "dbuser_dba");

  // The pasted psql line works as printed, and the server confirms the printed TLS facts.
  const conninfo = pastedConninfo(first.stdout);
  assert.match(conninfo, /sslmode=verify-full/);
  const asDba = (sql: string) => runClient("psql", ["-X", "-A", "-t", "-F", " ", "-c", sql, conninfo]);
  const viaPsql = await asDba("SELECT current_user, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  assert.equal(viaPsql.code, 0, viaPsql.stderr);
  assert.equal(viaPsql.stdout.trim(), `dbuser_dba ${printed.tls?.[1]} ${printed.tls?.[2]}`);
  const clientCert = new X509Certificate(await readFile(join(dir, "pki", "client", "dbuser_dba.crt")));
  assert.equal(
    printed.clientUntil?.[1],
    new Date(clientCert.validTo).toISOString(),
    "the printed expiry is the certificate's",
  );

  // The inventory and the application user's password file are private; the password is never printed.
  const passwordFile = join(dir, "dbuser_app.password");
  for (const file of [join(dir, "pgwarden.yml"), passwordFile])
    assert.equal((await stat(file)).mode & 0o777, 0o600, file);
  const appPassword = (await readFile(passwordFile, "utf8")).trim();
  assert.ok(appPassword.length >= 16);
  assert.ok(
    !first.stdout.includes(appPassword) && !first.stderr.includes(appPassword),
    "the password is not in quickstart's output",
  );

  // The server runs the rendered rules, which lint found clean, exactly and without an error.
  assert.match(
    first.stdout,
    /access rules: 4 rules rendered as pg-sandbox-1\.pg_hba\.conf, hba lint: no findings, installed/,
  );
  const rules = await asDba(
    "SELECT type, array_to_string(user_name, ','), coalesce(address, '-'), auth_method, coalesce(error, '-') FROM pg_hba_file_rules ORDER BY line_number",
  );
  assert.deepEqual(rules.stdout.trim().split("\n"), [
    "local postgres - peer -",
    "hostssl dbuser_app 127.0.0.1 scram-sha-256 -",
    "hostssl all 127.0.0.1 cert -",
    "hostssl all ::1 cert -",
  ]);

  // Pigsty's four tiers and the application user, as the inventory declares them.
  const memberships = await asDba(
    "SELECT u.rolname || '>' || r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member " +
      "WHERE u.rolname IN ('dbuser_app', 'dbrole_readwrite', 'dbrole_admin', 'dbuser_dba') ORDER BY 1",
  );
  assert.deepEqual(memberships.stdout.trim().split("\n"), [
    "dbrole_admin>dbrole_readwrite",
    "dbrole_admin>pg_monitor",
    "dbrole_readwrite>dbrole_readonly",
    "dbuser_app>dbrole_readwrite",
    "dbuser_dba>dbrole_admin",
  ]);
  const secrets = await asDba(
    "SELECT rolname, rolsuper, coalesce(left(rolpassword, 19), 'none') FROM pg_authid WHERE rolname IN ('dbuser_app', 'dbuser_dba') ORDER BY 1",
  );
  assert.equal(
    secrets.stdout.trim(),
    "dbuser_app f SCRAM-SHA-256$4096:\ndbuser_dba t none",
    "a SCRAM verifier for the app, no password for the certificate-only admin",
  );

  // dbuser_app logs in with its password over verify-full TLS (libpq, SCRAM), and not without TLS.
  const app = (sslmode: string) =>
    runClient(
      "psql",
      [
        "-X",
        "-A",
        "-t",
        "-c",
        "SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        `host=localhost port=${/127\.0\.0\.1:(\d+)/.exec(first.stdout)?.[1]} dbname=postgres user=dbuser_app sslmode=${sslmode} sslrootcert=${join(dir, "pki", "ca", "ca.crt")}`,
      ],
      {
        env: { PGPASSWORD: appPassword, PGCONNECT_TIMEOUT: "10" },
      },
    );
  const overTls = await app("verify-full");
  assert.equal(overTls.code, 0, overTls.stderr);
  assert.equal(overTls.stdout.trim(), "dbuser_app|t");
  assert.match(
    first.stdout,
    /Connected as dbuser_app with its password[\s\S]*rule that let it in: pgwarden\.yml:\d+: hostssl all dbuser_app 127\.0\.0\.1\/32 scram-sha-256/,
  );
  const plain = await app("disable");
  assert.notEqual(plain.code, 0);
  assert.match(
    plain.stderr,
    /no pg_hba\.conf entry for host "127\.0\.0\.1", user "dbuser_app", database "postgres", no encryption/,
  );

  // A second run keeps everything and changes nothing.
  const json = await pgwarden(["quickstart", "--dir", dir, "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const again = JSON.parse(json.stdout) as {
    ca: { action: string };
    sandbox: { action: string };
    inventory: { action: string };
    hba: { applied: { action: string }; findings: unknown[] };
    roles: { changes: unknown[] };
    role: { action: string };
    client: { action: string };
    session: { currentUser: string; ssl: boolean };
    app: { session: { currentUser: string; ssl: boolean } };
  };
  assert.deepEqual(
    [
      again.ca.action,
      again.sandbox.action,
      again.inventory.action,
      again.hba.applied.action,
      again.role.action,
      again.client.action,
    ],
    ["adopted", "running", "kept", "unchanged", "exists", "kept"],
  );
  assert.deepEqual(again.roles.changes, []);
  assert.deepEqual(again.hba.findings, []);
  assert.equal(again.session.currentUser, "dbuser_dba");
  assert.equal(again.session.ssl, true);
  assert.deepEqual(again.app.session.currentUser, "dbuser_app");
  assert.ok(!json.stdout.includes(appPassword), "nor in its JSON");

  // A rule lint finds critical, added to the inventory: refused at its inventory line, with advice quickstart can take.
  const inventoryFile = join(dir, "pgwarden.yml");
  const kept = await readFile(inventoryFile, "utf8");
  const hbaFile = join(dir, "sandbox", "data", "pg_hba.conf");
  const hbaBefore = await readFile(hbaFile, "utf8");
  const lines = kept.split("\n");
  const at = lines.findIndex((line) => line.trim() === "pg_hba_rules:") + 1;
  lines.splice(at, 0, "          - { user: all, db: all, addr: world, auth: trust, order: 50 }");
  await writeFile(inventoryFile, lines.join("\n"));
  const critical = await pgwarden(["quickstart", "--dir", dir]);
  assert.equal(critical.code, 1, critical.stderr);
  assert.match(
    critical.stderr,
    new RegExp(
      `^pgwarden: error: ${inventoryFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${at + 1}: 0\\.0\\.0\\.0/0 may connect without any authentication \\(trust-from-network, critical\\)`,
    ),
  );
  assert.doesNotMatch(critical.stderr, /--force/, "no advice quickstart cannot take");
  assert.equal(await readFile(hbaFile, "utf8"), hbaBefore, "the rules in force are the same");
  await writeFile(inventoryFile, kept);
});

/** Every process's command line that mentions `path`: a server started for it would show its data directory. */
async function processesMentioning(path: string): Promise<string[]> {
  const ps = await runClient("ps", ["-eo", "args"]);
  assert.equal(ps.code, 0, ps.stderr);
  return ps.stdout.split("\n").filter((line) => line.includes(path));
}

test("bad input to quickstart is refused before anything is made: no directory, CA, file, sandbox or server is left behind", async () => {
  const base = join(tmpdir(), `pgwarden-quickstart-refused-${randomBytes(4).toString("hex")}`);
  await mkdir(base, { mode: 0o755 });
  try {
    const aFile = join(base, "a-file");
    await writeFile(aFile, "not a directory\n");
    // An inventory a person edited into something invalid, in a directory quickstart has not used yet.
    const edited = join(base, "edited");
    await mkdir(edited, { mode: 0o711 });
    const invalid = [
      "all:",
      "  children:",
      "    pg-sandbox:",
      "      hosts: { 127.0.0.1: { pg_seq: 1, pg_role: primary } }",
      "      vars:",
    ];
    const users = ["        pg_cluster: pg-sandbox", "        pg_users:", "          - { name: '', login: true }", ""];
    await writeFile(join(edited, "pgwarden.yml"), [...invalid, ...users].join("\n"), { mode: 0o600 });
    // A PKI left world-writable: anyone could have swapped its CA.
    const openPki = join(base, "open-pki");
    await mkdir(join(openPki, "pki"), { recursive: true });
    await chmod(join(openPki, "pki"), 0o777);
    // A directory, or an inventory in it, that another account owns or may write: it could plant a trust rule.
    const foreignDir = join(base, "foreign");
    await mkdir(foreignDir, { mode: 0o711 });
    await chown(foreignDir, 65534, 65534);
    const sharedDir = join(base, "shared");
    await mkdir(sharedDir);
    await chmod(sharedDir, 0o777);
    const plantedDir = join(base, "planted");
    await mkdir(plantedDir, { mode: 0o711 });
    await writeFile(join(plantedDir, "pgwarden.yml"), "all: {}\n", { mode: 0o644 });
    await chown(join(plantedDir, "pgwarden.yml"), 65534, 65534);
    // A directory above --dir that anyone may rename entries in (no sticky bit), with --dir made or still to make.
    const openParent = join(base, "open-parent");
    await mkdir(join(openParent, "made"), { recursive: true });
    await chmod(openParent, 0o777);
    const cases: [string, string[], number, RegExp][] = [
      [
        "a quote in --role",
        ["--role", "a'b"],
        2,
        /^pgwarden: error: --role "a'b" contains a quote: use letters, digits/,
      ],
      [
        "a space in --role",
        ["--role", "a b"],
        2,
        /^pgwarden: error: --role "a b" contains white space: use letters, digits/,
      ],
      [
        "--role over 63 bytes",
        ["--role", "r".repeat(64)],
        2,
        /^pgwarden: error: --role "r{64}" is longer than 63 bytes, so PostgreSQL would truncate/,
      ],
      ["a reserved --role", ["--role", "pg_admin"], 2, /^pgwarden: error: --role "pg_admin" starts with "pg_"/],
      [
        "--pg-bin without the server",
        ["--pg-bin", base],
        4,
        /^pgwarden: error: --pg-bin .* does not hold initdb, pg_ctl, postgres/,
      ],
      [
        "--dir under a file",
        ["--dir", join(aFile, "qs")],
        2,
        /^pgwarden: error: --dir .*a-file\/qs is not a directory \(it, or a directory above it, is a file\)/,
      ],
      ["an invalid inventory from an earlier edit", ["--dir", edited], 3, /pgwarden\.yml:\d+/],
      [
        "a --dir another user owns",
        ["--dir", foreignDir],
        7,
        /^pgwarden: error: --dir .*foreign belongs to another user \(uid 65534\)/,
      ],
      [
        "a --dir others may write",
        ["--dir", sharedDir],
        7,
        /^pgwarden: error: --dir .*shared may be written by other users \(mode 0777\): run chmod go-w/,
      ],
      [
        "an inventory another user wrote",
        ["--dir", plantedDir],
        7,
        /^pgwarden: error: the inventory .*planted\/pgwarden\.yml belongs to another user/,
      ],
      [
        "a --dir under a directory anyone may write",
        ["--dir", join(openParent, "made")],
        7,
        /^pgwarden: error: .*open-parent, above --dir, can be changed by other users \(mode 0777/,
      ],
      [
        "a new --dir under a directory anyone may write",
        ["--dir", join(openParent, "new")],
        7,
        /^pgwarden: error: .*open-parent, above --dir, can be changed by other users/,
      ],
      [
        "a world-writable pki in --dir",
        ["--dir", openPki],
        7,
        /^pgwarden: error: .*open-pki\/pki is writable by every user .*chmod o-w/,
      ],
      [
        "a $ in --dir, which pg_ctl's shell would expand",
        ["--dir", join(base, "cost$HOME")],
        2,
        /^pgwarden: error: .*cost\$HOME contains "\$", which pg_ctl's shell would expand/,
      ],
      [
        "a newline in --dir",
        ["--dir", join(base, "two\nlines")],
        2,
        /^pgwarden: error: .*two\\nlines contains "\\n", which pg_ctl's shell would expand/,
      ],
    ];
    for (const [what, args, code, pattern] of cases) {
      const dir = args.includes("--dir")
        ? (args[args.indexOf("--dir") + 1] ?? "")
        : join(base, `qs-${randomBytes(3).toString("hex")}`);
      const before = await snapshot(base);
      const result = await pgwarden(["quickstart", ...(args.includes("--dir") ? [] : ["--dir", dir]), ...args]);
      assert.equal(result.code, code, `${what}: ${result.stderr}`);
      assert.match(result.stderr.trim(), pattern, what);
      assert.equal(result.stderr.trim().split("\n").length, 1, `${what}: one line on stderr`);
      assert.equal(result.stdout, "", what);
      assert.deepEqual(await snapshot(base), before, `${what}: nothing was made or changed under ${base}`);
      assert.deepEqual(await processesMentioning(dir), [], `${what}: no server runs for ${dir}`);
    }
    assert.deepEqual([...(await snapshot(edited)).keys()], ["pgwarden.yml"], "the edited inventory is all there is");
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
