/*
 * One code per situation (README, exit codes): every command that meets a situation answers it
 * with the same exit code, one line on stderr, no stack trace, nothing on stdout, and nothing
 * written anywhere under the test's directory.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmod, cp, mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, snapshot, tempDir } from "./support/cli.js";

const PEM_GARBAGE_CERT = "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZSwgbm90IERFUg==\n-----END CERTIFICATE-----\n";
const PEM_GARBAGE_CSR =
  "-----BEGIN CERTIFICATE REQUEST-----\nZ2FyYmFnZSwgbm90IERFUg==\n-----END CERTIFICATE REQUEST-----\n";

/** Paths the rows use, filled in by `before`. */
const at = {
  dir: "",
  /** A healthy PKI with a CA and a client certificate for u1. */
  pki: "",
  /** A regular file, given where a directory belongs. */
  file: "",
  /** A PKI path that does not exist. */
  missing: "",
  /** ca/ca.crt holds no PEM at all. */
  crtNotPem: "",
  /** ca/ca.crt is PEM-armoured garbage. */
  crtGarbage: "",
  /** ca/ca.key holds no key. */
  keyDamaged: "",
  /** server/ is a regular file. */
  serverIsFile: "",
  /** A home directory whose .postgresql is a regular file. */
  home: "",
  /** mode 0777. */
  worldWritable: "",
  /** client/ is a symbolic link to a 0755 directory outside the PKI. */
  symlinked: "",
  outside: "",
  csr: "",
  garbageCert: "",
  garbageCsr: "",
  hbaFile: "",
  inventory: "",
  /** An empty directory, as a cluster's data directory or a trust --root. */
  empty: "",
  sandbox: "",
};

/** The commands a situation applies to: each row builds the arguments from the PKI the situation uses. */
type Row = readonly [command: string, args: (pki: string) => string[]];

/** Every command that uses the PKI, with arguments that get it as far as reading the PKI. */
const PKI_COMMANDS: readonly Row[] = [
  ["ca show", (pki) => ["ca", "show", "--pki", pki]],
  ["cert issue", (pki) => ["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "u2"]],
  ["cert sign", (pki) => ["cert", "sign", at.csr, "--pki", pki, "--profile", "client"]],
  ["cert list", (pki) => ["cert", "list", "--pki", pki]],
  ["cert verify", (pki) => ["cert", "verify", join(at.pki, "client", "u1.crt"), "--pki", pki]],
  ["cert export", (pki) => ["cert", "export", "--pki", pki, "--cn", "u1", "--out", join(at.dir, "bundle")]],
  ["trust print", (pki) => ["trust", "print", "--pki", pki, "--os", "debian"]],
  ["trust install", (pki) => ["trust", "install", "--pki", pki, "--os", "debian", "--root", at.empty, "--no-update"]],
  ["sandbox status", (pki) => ["sandbox", "status", "--pki", pki, "--dir", at.sandbox]],
  ["pg tls", (pki) => ["pg", "tls", "--pki", pki, "--pgdata", at.empty]],
];
/** Commands that create the PKI when it is missing (so "missing" is no failure for them). */
const PKI_CREATORS: readonly Row[] = [
  ["ca init", (pki) => ["ca", "init", "--pki", pki]],
  ["sandbox up", (pki) => ["sandbox", "up", "--pki", pki, "--dir", at.sandbox]],
];
/** Commands that sign with the CA key. */
const SIGNERS: readonly Row[] = [
  ...PKI_CREATORS,
  ...PKI_COMMANDS.filter(([name]) => ["cert issue", "cert sign", "pg tls"].includes(name)),
];
/** Commands that read ca.crt. */
const CA_READERS: readonly Row[] = [...PKI_CREATORS, ...PKI_COMMANDS.filter(([name]) => name !== "cert list")];

/** Commands that take --conn, each with what else it needs to get past argv parsing. */
const CONN_COMMANDS: readonly (readonly [string, (conn: string) => string[]])[] = [
  ["hba lint", (conn) => ["hba", "lint", "--conn", conn]],
  ["hba explain", (conn) => ["hba", "explain", "--conn", conn, "--user", "u", "--db", "d", "--addr", "127.0.0.1"]],
  ["hba apply", (conn) => ["hba", "apply", at.hbaFile, "--conn", conn]],
  ["pg tls", (conn) => ["pg", "tls", "--pki", at.pki, "--conn", conn]],
  ["role plan", (conn) => ["role", "plan", "--inventory", at.inventory, "--cluster", "pg-meta", "--conn", conn]],
  ["role apply", (conn) => ["role", "apply", "--inventory", at.inventory, "--cluster", "pg-meta", "--conn", conn]],
  ["password audit", (conn) => ["password", "audit", "--conn", conn]],
];

/** The commands that connect before reading anything else of theirs (role plan/apply check their inventory first: exit 3 here). */
const CONNECTING_FIRST = CONN_COMMANDS.filter(([name]) => !name.startsWith("role "));

interface Situation {
  readonly name: string;
  readonly code: number;
  readonly message: RegExp;
  /** [command, its arguments, and what another file must change for the row to pass (run as a todo until then)]. */
  readonly cases: readonly (readonly [string, () => string[], string?])[];
  /** Environment for the runs, beyond the sandbox directory. */
  readonly env?: () => Record<string, string>;
}

const withPki = (rows: readonly Row[], pki: () => string) =>
  rows.map(([name, args]) => [name, () => args(pki())] as const);

const SITUATIONS: readonly Situation[] = [
  {
    name: "--pki names a regular file",
    code: 2,
    message: /--pki .* is not a directory .*give the PKI directory/,
    cases: withPki([...PKI_CREATORS, ...PKI_COMMANDS], () => at.file),
  },
  {
    name: "--pki names a path under a regular file",
    code: 2,
    message: /--pki .* is not a directory \(it, or a directory above it, is a file\)/,
    cases: withPki([...PKI_CREATORS, ...PKI_COMMANDS], () => join(at.file, "pki")),
  },
  {
    name: "PGWARDEN_PKI names a regular file",
    code: 2,
    message: /--pki .* is not a directory/,
    cases: [
      ["cert list", () => ["cert", "list"]],
      ["cert issue", () => ["cert", "issue", "--profile", "client", "--cn", "u2"]],
    ],
    env: () => ({ PGWARDEN_PKI: at.file }),
  },
  {
    name: "--out, --root, --dir or --pgdata names a regular file",
    code: 2,
    message: /^pgwarden: error: --(out|root|dir|pgdata) .* is not a directory .*give a directory$/,
    cases: [
      ["cert export --out", () => ["cert", "export", "--pki", at.pki, "--cn", "u1", "--out", at.file]],
      [
        "trust install --root",
        () => ["trust", "install", "--pki", at.pki, "--os", "debian", "--root", at.file, "--no-update"],
      ],
      ["trust print --root", () => ["trust", "print", "--pki", at.pki, "--root", at.file]],
      ["sandbox up --dir", () => ["sandbox", "up", "--pki", at.pki, "--dir", at.file]],
      ["sandbox status --dir", () => ["sandbox", "status", "--pki", at.pki, "--dir", at.file]],
      ["sandbox down --dir", () => ["sandbox", "down", "--dir", at.file]],
      ["quickstart --dir", () => ["quickstart", "--dir", at.file]],
      ["pg tls --pgdata", () => ["pg", "tls", "--pki", at.pki, "--pgdata", at.file]],
      ["hba apply --pgdata", () => ["hba", "apply", at.hbaFile, "--pgdata", at.file]],
    ],
  },
  {
    name: "a file stands where pgwarden must make a directory",
    code: 2,
    message: /: a file stands where a directory must be: move it away or give another path$/,
    cases: [
      [
        "cert issue (pki/server is a file)",
        () => ["cert", "issue", "--pki", at.serverIsFile, "--profile", "server", "--cn", "pg1", "--san", "localhost"],
      ],
      [
        "cert export --install (~/.postgresql is a file)",
        () => ["cert", "export", "--pki", at.pki, "--cn", "u1", "--install"],
      ],
    ],
    env: () => ({ HOME: at.home }),
  },
  {
    name: "the PKI does not exist",
    code: 4,
    message: /no CA in .*does not exist; run pgwarden ca init --pki /,
    cases: withPki(PKI_COMMANDS, () => at.missing),
  },
  {
    name: "ca.crt in the PKI holds no PEM",
    code: 7,
    message: /ca\.crt holds no complete PEM block .*the PKI is damaged, restore it from a backup/,
    cases: withPki(CA_READERS, () => at.crtNotPem),
  },
  {
    name: "ca.crt in the PKI is PEM-armoured garbage",
    code: 7,
    message: /ca\.crt holds a PEM block that is not a valid X\.509 certificate: the PKI is damaged/,
    cases: withPki(CA_READERS, () => at.crtGarbage),
  },
  {
    name: "ca.key in the PKI is damaged",
    code: 7,
    message: /CA key .* is not a readable private key/,
    cases: withPki(SIGNERS, () => at.keyDamaged),
  },
  {
    name: "a PEM-armoured garbage file given as input",
    code: 2,
    message:
      /(holds a PEM block that is not a valid X\.509 certificate: give a PEM certificate|holds no complete PEM block|not a readable certificate request)/,
    cases: [
      ["cert inspect", () => ["cert", "inspect", at.garbageCert, "--pki", at.pki]],
      ["cert verify", () => ["cert", "verify", at.garbageCert, "--pki", at.pki]],
      [
        "cert verify --ca-file (a good certificate, garbage CA file)",
        () => ["cert", "verify", join(at.pki, "ca", "ca.crt"), "--ca-file", at.garbageCert],
      ],
      [
        "cert sign (a certificate's armour)",
        () => ["cert", "sign", at.garbageCert, "--pki", at.pki, "--profile", "client"],
      ],
      ["cert sign (a request's armour)", () => ["cert", "sign", at.garbageCsr, "--pki", at.pki, "--profile", "client"]],
    ],
  },
  {
    name: "--conn with port 99999",
    code: 2,
    message: /--conn: invalid port number "99999": give a TCP port from 1 to 65535/,
    cases: CONN_COMMANDS.map(
      ([name, args]) => [name, () => args("postgresql://postgres@127.0.0.1:99999/postgres")] as const,
    ),
  },
  {
    // libpq reads the files a connection names when TLS starts: a missing root file is a refusal from verify-ca up.
    name: "--conn naming a missing sslrootcert with sslmode=verify-full",
    code: 5,
    message: /root certificate file ".*no-root\.crt" does not exist/,
    cases: CONNECTING_FIRST.map(
      ([name, args]) =>
        [
          name,
          () =>
            args(
              `postgresql://postgres@127.0.0.1:1/postgres?sslmode=verify-full&sslrootcert=${join(at.dir, "no-root.crt")}`,
            ),
        ] as const,
    ),
  },
  {
    name: "--conn naming a client certificate and a missing sslkey",
    code: 5,
    message: /certificate present, but not private key file ".*no\.key"/,
    cases: CONNECTING_FIRST.map(
      ([name, args]) =>
        [
          name,
          () =>
            args(
              `postgresql://postgres@127.0.0.1:1/postgres?sslmode=require&sslcert=${join(at.pki, "ca", "ca.crt")}&sslkey=${join(at.dir, "no.key")}`,
            ),
        ] as const,
    ),
  },
  {
    name: "a world-writable PKI directory",
    code: 7,
    message: /is writable by every user \(mode 0777\).*run chmod o-w /,
    cases: withPki([...PKI_CREATORS, ...PKI_COMMANDS], () => at.worldWritable),
  },
  {
    name: "a group directory symlinked out of the PKI",
    code: 7,
    message:
      /client is a symbolic link to .*outside the PKI .*replace the link with a real directory \(rm \S+ && mkdir -m 700 \S+\)/,
    cases: [
      [
        "cert issue --group client",
        () => ["cert", "issue", "--pki", at.symlinked, "--profile", "client", "--cn", "u9", "--group", "client"],
      ],
      [
        "cert sign --group client",
        () => ["cert", "sign", at.csr, "--pki", at.symlinked, "--profile", "client", "--group", "client"],
      ],
      ["cert export", () => ["cert", "export", "--pki", at.symlinked, "--cn", "u1", "--out", join(at.dir, "bundle")]],
      ["cert list", () => ["cert", "list", "--pki", at.symlinked]],
      ["ca init", () => ["ca", "init", "--pki", at.symlinked]],
    ],
  },
];

/** A copy of the healthy PKI with one thing done to it. */
async function variant(name: string, damage: (root: string) => Promise<void>): Promise<string> {
  const root = join(at.dir, name);
  await cp(at.pki, root, { recursive: true });
  await damage(root);
  return root;
}

describe("one exit code per situation, for every command that meets it", () => {
  let cleanup: () => Promise<void>;

  before(async () => {
    let dir: string;
    ({ dir, cleanup } = await tempDir("pgwarden-exit-codes-"));
    at.dir = dir;
    at.pki = join(dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", at.pki])).code, 0);
    assert.equal((await pgwarden(["cert", "issue", "--pki", at.pki, "--profile", "client", "--cn", "u1"])).code, 0);
    at.file = join(dir, "a-regular-file");
    await writeFile(at.file, "not a directory\n");
    at.missing = join(dir, "no-such-pki");
    at.crtNotPem = await variant("crt-not-pem", (root) => writeFile(join(root, "ca", "ca.crt"), "junk\n"));
    at.crtGarbage = await variant("crt-garbage", (root) => writeFile(join(root, "ca", "ca.crt"), PEM_GARBAGE_CERT));
    at.keyDamaged = await variant("key-damaged", (root) =>
      writeFile(join(root, "ca", "ca.key"), "junk\n", { mode: 0o600 }),
    );
    at.serverIsFile = await variant("server-is-file", (root) => writeFile(join(root, "server"), "not a directory\n"));
    at.home = join(dir, "home");
    await mkdir(at.home);
    await writeFile(join(at.home, ".postgresql"), "not a directory\n");
    at.worldWritable = await variant("world-writable", (root) => chmod(root, 0o777));
    at.outside = join(dir, "outside");
    await mkdir(at.outside, { mode: 0o755 });
    at.symlinked = await variant("symlinked", async (root) => {
      await cp(join(root, "client"), at.outside, { recursive: true });
      await rm(join(root, "client"), { recursive: true });
      await symlink(at.outside, join(root, "client"));
    });
    execFileSync(
      "openssl",
      [
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "app.key",
        "-subj",
        "/CN=app_user",
        "-out",
        "app.csr",
      ],
      { cwd: dir, stdio: "pipe" },
    );
    at.csr = join(dir, "app.csr");
    at.garbageCert = join(dir, "garbage.crt");
    await writeFile(at.garbageCert, PEM_GARBAGE_CERT);
    at.garbageCsr = join(dir, "garbage.csr");
    await writeFile(at.garbageCsr, PEM_GARBAGE_CSR);
    at.hbaFile = join(dir, "pg_hba.conf");
    await writeFile(at.hbaFile, "local all all peer\n");
    at.inventory = join(dir, "pigsty.yml");
    await writeFile(
      at.inventory,
      "all:\n  children:\n    pg-meta:\n      hosts: { 127.0.0.1: { pg_seq: 1, pg_role: primary } }\n      vars: { pg_cluster: pg-meta }\n",
    );
    at.empty = join(dir, "empty");
    await mkdir(at.empty);
    at.sandbox = join(dir, "sandbox");
  });
  after(() => cleanup());

  for (const situation of SITUATIONS) {
    describe(`${situation.name}: exit ${situation.code}`, () => {
      for (const [command, args, needs] of situation.cases) {
        test(command, needs === undefined ? {} : { todo: needs }, async () => {
          const before = await snapshot(at.dir);
          const result = await pgwarden(args(), { env: { PGWARDEN_SANDBOX_DIR: at.sandbox, ...situation.env?.() } });
          assert.equal(result.code, situation.code, `exit code; stderr: ${result.stderr}`);
          assert.equal(result.stdout, "", "nothing on stdout");
          const lines = result.stderr
            .trimEnd()
            .split("\n")
            .filter((line) => !line.startsWith("(run with --help"));
          assert.equal(lines.length, 1, `one line on stderr, got: ${result.stderr}`);
          assert.match(lines[0] as string, /^pgwarden: error: /);
          assert.match(lines[0] as string, situation.message);
          assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
          assert.deepEqual(await snapshot(at.dir), before, "nothing written");
        });
      }
    });
  }

  test("the symlinked group's outside directory gets no key, and a healthy PKI still issues", async () => {
    assert.deepEqual((await readdir(at.outside)).sort(), ["u1.crt", "u1.key"]);
    assert.equal((await pgwarden(["cert", "issue", "--pki", at.pki, "--profile", "client", "--cn", "u3"])).code, 0);
  });
});
