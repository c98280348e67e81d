import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { chmod, lchown, lstat, readdir, readFile, readlink, stat, symlink, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { pgwarden, snapshot, tempDir } from "./support/cli.js";
import { type Cluster, runClient, startCluster } from "./support/pg-cluster.js";

// What `pg tls` does to the files it replaces in PGDATA: the names of the certificate it
// replaces survive (F5), and a symbolic link among them is never followed (F10).

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };
let pki: string;

before(async () => {
  work = await tempDir("pgwarden-pgtls-replace-");
  pki = join(work.dir, "pki");
  assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
  cluster = await startCluster({ hba: ["hostssl all all 127.0.0.1/32 trust"] });
});

after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

const tls = (...args: string[]) => pgwarden(["pg", "tls", "--pgdata", cluster.dataDir, "--pki", pki, ...args]);

/** psql with sslmode=verify-full for `host`, reaching this server on loopback: libpq's own verdict on the served certificate. */
function verifyFull(host: string) {
  const conninfo =
    `host=${host} hostaddr=127.0.0.1 port=${cluster.port} dbname=postgres user=${cluster.superuser} ` +
    `sslmode=verify-full sslrootcert=${pki}/ca/ca.crt`;
  return runClient("psql", ["-X", "-A", "-t", "-c", "select 1", conninfo]);
}

const backupsOf = async (name: string) =>
  (await readdir(cluster.dataDir)).filter((entry) => entry.startsWith(`${name}.`) && entry.endsWith(".bak"));

test("pg tls --cn NEW keeps every name the served certificate had: verify-full still connects by the VIP, the alias and the address", async () => {
  for (const args of [
    ["--san", "10.1.1.1", "--san", "vip.example"],
    ["--san", "db2.example"],
  ]) {
    const result = await tls(...args, "--reload");
    assert.equal(result.code, 0, result.stderr);
  }
  for (const host of ["vip.example", "db2.example", "10.1.1.1"]) assert.equal((await verifyFull(host)).code, 0, host);
  const oldServed = await readFile(join(cluster.dataDir, "server.crt"), "utf8");

  const result = await tls("--cn", "newname", "--reload");
  assert.equal(result.code, 0, result.stderr);
  const served = new X509Certificate(await readFile(join(cluster.dataDir, "server.crt")));
  assert.match(served.subject, /CN=newname/);
  for (const host of ["vip.example", "db2.example", "10.1.1.1", "newname"]) {
    const login = await verifyFull(host);
    assert.equal(login.code, 0, `verify-full by ${host}: ${login.stderr}`);
    assert.equal(login.stdout.trim(), "1");
  }
  const verified = await runClient("openssl", [
    "verify",
    "-CAfile",
    join(pki, "ca", "ca.crt"),
    "-purpose",
    "sslserver",
    join(cluster.dataDir, "server.crt"),
  ]);
  assert.equal(verified.code, 0, verified.stderr);
  // The replaced certificate and key are kept, the certificate byte for byte.
  const certBackups = await backupsOf("server.crt");
  const kept = await Promise.all(certBackups.map((name) => readFile(join(cluster.dataDir, name), "utf8")));
  assert.ok(kept.includes(oldServed), "the replaced server.crt is kept as .bak");
  assert.ok((await backupsOf("server.key")).length > 0, "the replaced server.key is kept as .bak");

  // Idempotent: the same command again keeps the certificate.
  const again = await tls("--cn", "newname", "--reload", "--format", "json");
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { plan: { changed: boolean } }).plan.changed, false);
});

test("a server.key that is a symbolic link is refused (exit 2, nothing written); --force backs up the link itself, never its target", async () => {
  const owner = await stat(cluster.dataDir);
  const secret = join(work.dir, "root-only-secret");
  await writeFile(secret, "TOP SECRET, root only\n", { mode: 0o600 });
  await chmod(secret, 0o600);
  const key = join(cluster.dataDir, "server.key");
  await unlink(key);
  await symlink(secret, key);
  await lchown(key, owner.uid, owner.gid);

  const before = await snapshot(cluster.dataDir);
  const refused = await tls("--cn", "vm");
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  assert.ok(
    refused.stderr.includes(
      `${key} is a symbolic link: pgwarden will not follow it into ${secret}; replace it with the file itself`,
    ),
    refused.stderr,
  );
  assert.deepEqual(await snapshot(cluster.dataDir), before);

  const forced = await tls("--cn", "vm", "--force");
  assert.equal(forced.code, 0, forced.stderr);
  const linkBackups = await backupsOf("server.key");
  const newest = linkBackups.sort().pop() as string;
  const backup = await lstat(join(cluster.dataDir, newest));
  assert.ok(backup.isSymbolicLink(), "the backup is a copy of the link");
  assert.equal(await readlink(join(cluster.dataDir, newest)), secret);
  assert.ok(!(await lstat(key)).isSymbolicLink(), "server.key is now a file");
  // Nothing in PGDATA holds the secret, and everything there is PGDATA's owner's.
  for (const name of await readdir(cluster.dataDir)) {
    const info = await lstat(join(cluster.dataDir, name));
    assert.equal(info.uid, owner.uid, `${name} owner`);
    if (info.isFile())
      assert.ok(
        !(await readFile(join(cluster.dataDir, name), "utf8")).includes("TOP SECRET"),
        `${name} holds the secret`,
      );
  }
  assert.equal(await readFile(secret, "utf8"), "TOP SECRET, root only\n", "the link's target is untouched");
});

test("the old certificate's CN is carried over exactly when libpq matches it (no DNS SAN): psql verify-full agrees before and after", async () => {
  const owner = await stat(cluster.dataDir);
  const cases = [
    { cn: "cnonly.example", sans: undefined, libpqMatches: ["cnonly.example"], libpqRefuses: [] as string[] },
    {
      cn: "cnignored.example",
      sans: "DNS:sanonly.example",
      libpqMatches: ["sanonly.example"],
      libpqRefuses: ["cnignored.example"],
    },
  ];
  for (const [index, item] of cases.entries()) {
    // Made by hand with openssl and this CA's key, installed as an operator would, and served.
    const base = join(work.dir, `hand-${index}`);
    const ext = `${base}.ext`;
    await writeFile(
      ext,
      [
        "basicConstraints=CA:FALSE",
        "extendedKeyUsage=serverAuth",
        ...(item.sans ? [`subjectAltName=${item.sans}`] : []),
      ].join("\n"),
    );
    const req = await runClient("openssl", [
      ...["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", `${base}.key`, "-subj", `/CN=${item.cn}`, "-out", `${base}.csr`],
    ]);
    assert.equal(req.code, 0, req.stderr);
    const signed = await runClient("openssl", [
      ...["x509", "-req", "-in", `${base}.csr`, "-CA", join(pki, "ca", "ca.crt"), "-CAkey", join(pki, "ca", "ca.key")],
      ...["-set_serial", `${100 + index}`, "-days", "90", "-extfile", ext, "-out", `${base}.crt`],
    ]);
    assert.equal(signed.code, 0, signed.stderr);
    for (const [name, from] of [
      ["server.crt", `${base}.crt`],
      ["server.key", `${base}.key`],
    ] as const) {
      await writeFile(join(cluster.dataDir, name), await readFile(from), { mode: 0o600 });
      await lchown(join(cluster.dataDir, name), owner.uid, owner.gid);
    }
    await cluster.sql("SELECT pg_reload_conf()");
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const host of item.libpqMatches)
      assert.equal((await verifyFull(host)).code, 0, `libpq matches ${host} before`);
    for (const host of item.libpqRefuses)
      assert.notEqual((await verifyFull(host)).code, 0, `libpq refuses ${host} before`);

    // Not in pgwarden's inventory, so --force; the names libpq matched survive, and no name libpq refused is added.
    const result = await tls("--cn", `fresh-${index}`, "--force", "--reload");
    assert.equal(result.code, 0, result.stderr);
    const fresh = new X509Certificate(await readFile(join(cluster.dataDir, "server.crt")));
    for (const host of item.libpqMatches) {
      assert.equal((await verifyFull(host)).code, 0, `verify-full by ${host} after`);
      assert.equal(fresh.checkHost(host), host);
    }
    for (const host of item.libpqRefuses) {
      assert.equal(fresh.checkHost(host), undefined, `${host} not added`);
      assert.notEqual((await verifyFull(host)).code, 0, `libpq refuses ${host} after`);
    }
  }
});
