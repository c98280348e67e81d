/*
 * `cert issue --inventory`: a 3-node Pigsty inventory (a VIP, an etcd group of 3, an infra node)
 * issued in Pigsty's files/pki layout, every name and SAN read back by openssl and every
 * certificate verified by it; a dry run and a second run write nothing; a changed inventory
 * re-issues only what it changes; a certificate from elsewhere is refused without --force.
 * Then a real PostgreSQL on loopback addresses (127.0.0.1, the VIP 127.0.0.10, ::1) serves a
 * node's certificate, and psql logs in with sslmode=verify-full through every name and address
 * it carries. Also the CN-as-SAN rule: `--cn db1.example --san 127.0.0.1` passes verify-full for
 * host=db1.example, and fails with --no-cn-san, as libpq decides.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { type CliResult, pgwarden, snapshot, tempDir } from "./support/cli.js";
import { psql } from "./support/clients.js";
import { type Cluster, runClient, startCluster } from "./support/pg-cluster.js";

const VIP_V1 = "127.0.0.9";
const VIP_V3 = "127.0.0.10";

function inventory(options: { vip: string; fourth?: boolean }): string {
  return `
all:
  children:
    infra: { hosts: { 127.0.0.1: { infra_seq: 1 } } }
    etcd:
      hosts:
        127.0.0.1: { etcd_seq: 1 }
        127.0.0.2: { etcd_seq: 2 }
        127.0.0.3: { etcd_seq: 3 }
      vars: { etcd_cluster: etcd }
    pg-test:
      hosts:
        127.0.0.1: { pg_seq: 1, pg_role: primary, nodename: db1.example }
        127.0.0.2: { pg_seq: 2, pg_role: replica }
        127.0.0.3: { pg_seq: 3, pg_role: replica }
${options.fourth ? '        "::1": { pg_seq: 4, pg_role: replica }\n' : ""}      vars: { pg_cluster: pg-test, pg_vip_enabled: true, pg_vip_address: ${options.vip}/8 }
`;
}

/** What the inventory asks each certificate to name, in openssl's words. */
function expectedSans(vip: string): Record<string, string[]> {
  const tail = (ip: string) => [`IP Address:${ip}`, "DNS:localhost", "IP Address:127.0.0.1"];
  return {
    "pgsql/pg-test-1.crt": [
      "DNS:pg-test-1",
      "DNS:pg-test",
      `IP Address:${vip}`,
      "DNS:db1.example",
      "IP Address:127.0.0.1",
      "DNS:localhost",
    ],
    "pgsql/pg-test-2.crt": ["DNS:pg-test-2", "DNS:pg-test", `IP Address:${vip}`, ...tail("127.0.0.2")],
    "pgsql/pg-test-3.crt": ["DNS:pg-test-3", "DNS:pg-test", `IP Address:${vip}`, ...tail("127.0.0.3")],
    "etcd/etcd-1.crt": ["DNS:etcd-1", "DNS:db1.example", "IP Address:127.0.0.1", "DNS:localhost"],
    "etcd/etcd-2.crt": ["DNS:etcd-2", ...tail("127.0.0.2")],
    "etcd/etcd-3.crt": ["DNS:etcd-3", ...tail("127.0.0.3")],
  };
}

interface FleetJson {
  dryRun: boolean;
  certificates: {
    action: string;
    certPath: string;
    keyPath: string;
    commonName: string;
    subjectAltNames: string[];
    backups: string[];
    foreign: string | null;
  }[];
  clusterKeys: { keyPath: string; action: string }[];
}

function ok(result: CliResult, what: string): CliResult {
  assert.equal(result.code, 0, `${what} failed (exit ${result.code}):\n${result.stderr}${result.stdout}`);
  return result;
}

async function openssl(args: string[]): Promise<string> {
  const result = await runClient("openssl", args);
  assert.equal(result.code, 0, `openssl ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** openssl's reading of a certificate: its subject and its SANs, one string each. */
async function namesByOpenssl(path: string): Promise<{ subject: string; sans: string[] }> {
  const out = await openssl(["x509", "-in", path, "-noout", "-subject", "-ext", "subjectAltName"]);
  const subject = /^subject=(.*)$/m.exec(out)?.[1]?.trim() ?? "";
  const sans = (/Subject Alternative Name:\s*\n\s*(.*)/.exec(out)?.[1] ?? "").split(", ").map((name) => name.trim());
  return { subject, sans };
}

/** Content hash and mtime of every file under the PKI: what "nothing written" means. */
async function fingerprint(dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        result.set(
          path,
          `${createHash("sha256")
            .update(await readFile(path))
            .digest("hex")} ${(await stat(path)).mtimeMs}`,
        );
    }
  };
  await walk(dir);
  return result;
}

describe("cert issue --inventory on a 3-node Pigsty inventory", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let inventoryPath: string;
  const fleet = async (extra: string[] = []) =>
    pgwarden(["--pki", pki, "--format", "json", "cert", "issue", "--inventory", inventoryPath, ...extra]);
  const parse = (result: CliResult) => JSON.parse(result.stdout) as FleetJson;

  before(async () => {
    ({ dir, cleanup } = await tempDir("pgwarden-fleet-"));
    pki = join(dir, "pki");
    inventoryPath = join(dir, "pigsty.yml");
    await writeFile(inventoryPath, inventory({ vip: VIP_V1 }));
    ok(await pgwarden(["--pki", pki, "ca", "init"]), "ca init");
  });
  after(() => cleanup());

  test("--dry-run prints the plan (6 to issue, a cluster key to make) and writes nothing", async () => {
    const before = await snapshot(dir);
    const plan = parse(ok(await fleet(["--dry-run"]), "dry run"));
    assert.equal(plan.dryRun, true);
    assert.deepEqual(
      plan.certificates.map((item) => [item.action, item.certPath]),
      Object.keys(expectedSans(VIP_V1)).map((path) => ["issue", path]),
    );
    assert.deepEqual(plan.clusterKeys, [{ keyPath: "pgsql/pg-test.key", action: "create", keyType: "ec-p256" }]);
    assert.deepEqual(await snapshot(dir), before);
  });

  test("issues every certificate in Pigsty's layout: openssl reads the planned CN and SANs, verifies each (-x509_strict), and each key is 0600 and its own", async () => {
    const issued = parse(ok(await fleet(), "fleet issue"));
    assert.ok(issued.certificates.every((item) => item.action === "issue"));
    const ca = join(pki, "ca", "ca.crt");
    for (const [path, sans] of Object.entries(expectedSans(VIP_V1))) {
      const cert = join(pki, path);
      const names = await namesByOpenssl(cert);
      assert.equal(names.subject, `CN = ${path.split("/")[1]?.replace(/\.crt$/, "")}`, path);
      assert.deepEqual(names.sans, sans, path);
      const purposes = path.startsWith("etcd/") ? ["sslserver", "sslclient"] : ["sslserver"];
      for (const purpose of purposes)
        assert.match(
          await openssl(["verify", "-x509_strict", "-purpose", purpose, "-CAfile", ca, cert]),
          /: OK/,
          `${path} ${purpose}`,
        );
      const keyPath = path.startsWith("pgsql/") ? join(pki, "pgsql", "pg-test.key") : cert.replace(/\.crt$/, ".key");
      assert.equal((await stat(keyPath)).mode & 0o777, 0o600, keyPath);
      assert.equal(
        await openssl(["x509", "-in", cert, "-noout", "-pubkey"]),
        await openssl(["pkey", "-in", keyPath, "-pubout"]),
        `${path} is the certificate of ${keyPath}`,
      );
    }
  });

  test("a second run reports every certificate unchanged and writes nothing (hashes and mtimes)", async () => {
    const before = await fingerprint(pki);
    const again = parse(ok(await fleet(), "second run"));
    assert.deepEqual(new Set(again.certificates.map((item) => item.action)), new Set(["keep"]));
    assert.deepEqual(
      again.clusterKeys.map((key) => key.action),
      ["keep"],
    );
    assert.deepEqual(await fingerprint(pki), before);
  });

  test("a changed inventory re-issues only what it changes: a new node gets its certificate alone; a new VIP re-issues the cluster's, keeping the old as .bak", async () => {
    await writeFile(inventoryPath, inventory({ vip: VIP_V1, fourth: true }));
    const before = await fingerprint(pki);
    const added = parse(ok(await fleet(), "new node"));
    assert.deepEqual(
      added.certificates.filter((item) => item.action !== "keep").map((item) => [item.action, item.certPath]),
      [["issue", "pgsql/pg-test-4.crt"]],
    );
    const afterAdd = await fingerprint(pki);
    for (const [path, print] of before)
      if (!path.includes("/db/")) assert.equal(afterAdd.get(path), print, `${path} untouched`);
    assert.deepEqual((await namesByOpenssl(join(pki, "pgsql", "pg-test-4.crt"))).sans, [
      "DNS:pg-test-4",
      "DNS:pg-test",
      `IP Address:${VIP_V1}`,
      "IP Address:0:0:0:0:0:0:0:1",
      "DNS:localhost",
      "IP Address:127.0.0.1",
    ]);

    await writeFile(inventoryPath, inventory({ vip: VIP_V3, fourth: true }));
    const moved = parse(ok(await fleet(), "new VIP"));
    const changed = moved.certificates.filter((item) => item.action !== "keep");
    assert.deepEqual(
      changed.map((item) => [item.action, item.certPath]),
      [1, 2, 3, 4].map((seq) => ["reissue", `pgsql/pg-test-${seq}.crt`]),
    );
    const afterMove = await fingerprint(pki);
    for (const [path, print] of afterAdd) {
      if (path.includes("/etcd/") || path.endsWith("pg-test.key"))
        assert.equal(afterMove.get(path), print, `${path} untouched`);
    }
    for (const item of changed) {
      assert.equal(item.backups.length, 1, `${item.certPath}: the old certificate is kept`);
      assert.equal(
        await readFile(item.backups[0] as string, "utf8").then((pem) => pem.startsWith("-----BEGIN CERTIFICATE")),
        true,
      );
      assert.ok((await namesByOpenssl(join(pki, item.certPath))).sans.includes(`IP Address:${VIP_V3}`));
    }
    assert.deepEqual(
      (await namesByOpenssl(join(pki, "pgsql", "pg-test-1.crt"))).sans,
      expectedSans(VIP_V3)["pgsql/pg-test-1.crt"],
    );
  });

  test("a certificate pgwarden did not make at a planned path is refused (exit 2, nothing written) unless --force, which keeps it as .bak", async () => {
    const other = join(dir, "other");
    await openssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      `${other}.key`,
      "-subj",
      "/CN=pg-test-2",
      "-days",
      "30",
      "-out",
      `${other}.crt`,
    ]);
    const target = join(pki, "pgsql", "pg-test-2.crt");
    await writeFile(target, await readFile(`${other}.crt`));
    const before = await snapshot(dir);
    const refused = await fleet();
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /pg-test-2\.crt .*not made by pgwarden .*not signed by this CA.*--force/);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.deepEqual(await snapshot(dir), before);
    const forced = parse(ok(await fleet(["--force"]), "--force"));
    const item = forced.certificates.find((entry) => entry.certPath === "pgsql/pg-test-2.crt");
    assert.equal(item?.action, "reissue");
    assert.equal(await readFile(item?.backups[0] as string, "utf8"), await readFile(`${other}.crt`, "utf8"));
    assert.match(
      await openssl(["verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", join(pki, "ca", "ca.crt"), target]),
      /: OK/,
    );
  });

  test("cert sign adds a CSR's CN to the SANs of a server certificate; --no-cn-san does not", async () => {
    const csr = join(dir, "db2.csr");
    await openssl([
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      join(dir, "db2.key"),
      "-subj",
      "/CN=db2.example",
      "-addext",
      "subjectAltName=DNS:db2-alias.example",
      "-out",
      csr,
    ]);
    for (const [group, extra, expected] of [
      ["signed", [], ["DNS:db2-alias.example", "DNS:db2.example"]],
      ["signed-no-cn", ["--no-cn-san"], ["DNS:db2-alias.example"]],
    ] as const) {
      ok(await pgwarden(["--pki", pki, "cert", "sign", csr, "--profile", "server", "--group", group, ...extra]), group);
      assert.deepEqual((await namesByOpenssl(join(pki, group, "db2.example.crt"))).sans, expected, group);
    }
  });

  describe("a real PostgreSQL serving a node's certificate, reached with psql sslmode=verify-full", () => {
    let cluster: Cluster;
    const login = (host: string, hostaddr?: string) =>
      psql(
        `host=${host}${hostaddr ? ` hostaddr=${hostaddr}` : ""} port=${cluster.port} dbname=postgres user=${cluster.superuser} sslmode=verify-full sslrootcert=${join(pki, "ca", "ca.crt")}`,
      );
    const serve = async (cert: string) => {
      const tls = {
        certPem: await readFile(join(pki, cert), "utf8"),
        keyPem: await readFile(join(pki, "pgsql", "pg-test.key"), "utf8"),
      };
      await cluster.writeTls(tls);
      await cluster.reload();
    };

    before(async () => {
      cluster = await startCluster({
        hba: ["hostssl all all 127.0.0.0/8 trust", "hostssl all all ::1/128 trust"],
        settings: { listen_addresses: `127.0.0.1,127.0.0.2,${VIP_V3},::1` },
      });
    });
    after(() => cluster.stop());

    test("pg-test-1: every IP SAN by host=<ip>, every DNS SAN by host=<name> hostaddr=<ip>; another node's address and name are refused", async () => {
      await serve("pgsql/pg-test-1.crt");
      const { sans } = await namesByOpenssl(join(pki, "pgsql", "pg-test-1.crt"));
      assert.ok(sans.length >= 6);
      for (const san of sans) {
        const [kind, value] = san.startsWith("IP Address:")
          ? ["ip", san.slice("IP Address:".length)]
          : ["dns", san.slice("DNS:".length)];
        // The cluster name and the VIP are where a client reaches the primary; the node's own names are on its address.
        const address = value === "pg-test" ? VIP_V3 : "127.0.0.1";
        const outcome = kind === "ip" ? await login(value) : await login(value, address);
        assert.ok(isIP(address) !== 0);
        assert.equal(outcome.ok, true, `${san}: ${outcome.stderr}`);
        assert.equal(outcome.stdout, cluster.superuser);
      }
      for (const [host, hostaddr] of [
        ["127.0.0.2", undefined],
        ["pg-test-2", "127.0.0.1"],
      ] as const) {
        const refused = await login(host, hostaddr);
        assert.equal(refused.ok, false, host);
        assert.match(refused.stderr, /does not match host name/, host);
      }
    });

    test("pg-test-4 (the ::1 node): host=::1 and host=pg-test-4 hostaddr=::1", async () => {
      await serve("pgsql/pg-test-4.crt");
      for (const [host, hostaddr] of [
        ["::1", undefined],
        ["pg-test-4", "::1"],
        ["pg-test", VIP_V3],
      ] as const) {
        const outcome = await login(host, hostaddr);
        assert.equal(outcome.ok, true, `${host}: ${outcome.stderr}`);
      }
    });

    test("the CN is a SAN: --cn db1.example --san db1-alt.example --san 127.0.0.1 passes host=db1.example; with --no-cn-san libpq refuses it", async () => {
      // libpq 14+ falls back to the CN only when no SAN has the host's type; a DNS SAN beside the CN is what breaks host=<cn>.
      const cases = [
        [
          "cn-san",
          ["--san", "db1-alt.example"],
          ["DNS:db1-alt.example", "IP Address:127.0.0.1", "DNS:db1.example"],
          true,
        ],
        [
          "no-cn-san",
          ["--san", "db1-alt.example", "--no-cn-san"],
          ["DNS:db1-alt.example", "IP Address:127.0.0.1"],
          false,
        ],
        ["ip-only", [], ["IP Address:127.0.0.1", "DNS:db1.example"], true],
      ] as const;
      for (const [group, extra, expected, passes] of cases) {
        ok(
          await pgwarden([
            "--pki",
            pki,
            "cert",
            "issue",
            "--profile",
            "server",
            "--cn",
            "db1.example",
            ...extra,
            "--san",
            "127.0.0.1",
            "--group",
            group,
          ]),
          group,
        );
        assert.deepEqual((await namesByOpenssl(join(pki, group, "db1.example.crt"))).sans, expected, group);
        await cluster.writeTls({
          certPem: await readFile(join(pki, group, "db1.example.crt"), "utf8"),
          keyPem: await readFile(join(pki, group, "db1.example.key"), "utf8"),
        });
        await cluster.reload();
        const outcome = await login("db1.example", "127.0.0.1");
        assert.equal(outcome.ok, passes, `${group}: ${outcome.stderr}`);
        if (!passes)
          assert.match(
            outcome.stderr,
            /server certificate for "db1-alt\.example" \(and 1 other name\) does not match host name "db1\.example"/,
          );
      }
    });
  });
});

/** Pigsty's own playbooks' files (roles/pgsql/tasks/cert.yml, roles/etcd/tasks/config.yml), made here with openssl as they make them. */
async function pigstyFiles(pki: string): Promise<void> {
  const ca = [
    "-CA",
    join(pki, "ca", "ca.crt"),
    "-CAkey",
    join(pki, "ca", "ca.key"),
    "-days",
    "365",
    "-copy_extensions",
    "copy",
  ];
  const newKey = (path: string) =>
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path]);
  const sign = async (key: string, subject: string, sans: string, out: string) => {
    const csr = `${out}.csr`;
    await openssl(["req", "-new", "-key", key, "-subj", subject, "-addext", `subjectAltName=${sans}`, "-out", csr]);
    await openssl(["x509", "-req", "-in", csr, ...ca, "-out", out]);
    await rm(csr);
  };
  await mkdir(join(pki, "pgsql"), { recursive: true });
  await mkdir(join(pki, "etcd"), { recursive: true });
  await newKey(join(pki, "pgsql", "pg-test.key"));
  for (const seq of [1, 2, 3]) {
    const sans = `DNS:localhost,DNS:pg-test,DNS:pg-test-${seq},IP:127.0.0.1,IP:127.0.0.${seq}`;
    await sign(
      join(pki, "pgsql", "pg-test.key"),
      `/O=pigsty/OU=postgres/CN=pg-test-${seq}`,
      sans,
      join(pki, "pgsql", `pg-test-${seq}.crt`),
    );
    await newKey(join(pki, "etcd", `etcd-${seq}.key`));
    await sign(
      join(pki, "etcd", `etcd-${seq}.key`),
      `/O=pigsty/OU=etcd/CN=etcd-${seq}`,
      `IP:127.0.0.1,DNS:localhost,IP:127.0.0.${seq},DNS:etcd-${seq}`,
      join(pki, "etcd", `etcd-${seq}.crt`),
    );
  }
}

describe("cert issue --inventory with --pki pointed at a Pigsty files/pki", () => {
  test("Pigsty's own certificates with the planned names are kept (nothing written); a VIP re-issues them, with --force, for Pigsty's cluster key", async () => {
    const { dir, cleanup } = await tempDir("pgwarden-fleet-pigsty-");
    try {
      const pki = join(dir, "files", "pki");
      ok(await pgwarden(["--pki", pki, "ca", "init"]), "ca init");
      await pigstyFiles(pki);
      const inventoryPath = join(dir, "pigsty.yml");
      await writeFile(
        inventoryPath,
        inventory({ vip: VIP_V1 })
          .replace("pg_vip_enabled: true", "pg_vip_enabled: false")
          .replace(", nodename: db1.example", ""),
      );
      const fleet = (extra: string[] = []) =>
        pgwarden(["--pki", pki, "--format", "json", "cert", "issue", "--inventory", inventoryPath, ...extra]);
      const before = await fingerprint(pki);
      const kept = JSON.parse(ok(await fleet(), "fleet over Pigsty's files").stdout) as FleetJson;
      assert.deepEqual(
        kept.certificates.map((item) => [item.action, item.certPath]),
        [1, 2, 3]
          .map((seq) => ["keep", `pgsql/pg-test-${seq}.crt`])
          .concat([1, 2, 3].map((seq) => ["keep", `etcd/etcd-${seq}.crt`])),
      );
      assert.deepEqual(await fingerprint(pki), before, "nothing written");

      await writeFile(
        inventoryPath,
        (await readFile(inventoryPath, "utf8")).replace("pg_vip_enabled: false", "pg_vip_enabled: true"),
      );
      const refused = await fleet();
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(
        refused.stderr,
        /pg-test-1\.crt is not the planned certificate \(it lacks IP:127\.0\.0\.9\) and was not made by pgwarden \(pgwarden has no record of making it\)/,
      );
      assert.deepEqual(await fingerprint(pki), before, "nothing written when refused");
      const forced = JSON.parse(ok(await fleet(["--force"]), "--force").stdout) as FleetJson;
      assert.deepEqual(
        forced.certificates.filter((item) => item.action !== "keep").map((item) => item.certPath),
        [1, 2, 3].map((seq) => `pgsql/pg-test-${seq}.crt`),
      );
      const key = join(pki, "pgsql", "pg-test.key");
      assert.equal((await fingerprint(pki)).get(key), before.get(key), "Pigsty's cluster key is kept");
      for (const seq of [1, 2, 3]) {
        const cert = join(pki, "pgsql", `pg-test-${seq}.crt`);
        // What Pigsty's pg_cert_copy installs as server.key and server.crt is a matching pair.
        assert.equal(
          await openssl(["x509", "-in", cert, "-noout", "-pubkey"]),
          await openssl(["pkey", "-in", key, "-pubout"]),
        );
        assert.ok((await namesByOpenssl(cert)).sans.includes(`IP Address:${VIP_V1}`));
      }
    } finally {
      await cleanup();
    }
  });
});

/** Every path under `dir` with its kind, mode and content hash, read without following links (one may dangle). */
async function linkSnapshot(dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      const info = await lstat(path);
      if (entry.isDirectory()) await walk(path);
      const content = entry.isSymbolicLink()
        ? `-> ${await readlink(path)}`
        : entry.isFile()
          ? createHash("sha256")
              .update(await readFile(path))
              .digest("hex")
          : "";
      result.set(path, `${(info.mode & 0o7777).toString(8)} ${content}`);
    }
  };
  await walk(dir);
  return result;
}

/* The review's cases: keys others may read or swap, a link at a cluster key's path, ansible_host, a CA made again with the same name. */
describe("cert issue --inventory: the keys it signs for, the names it reads, the CA it checks against", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let inventoryPath: string;
  const fleet = (extra: string[] = []) =>
    pgwarden([
      "--pki",
      pki,
      "--format",
      "json",
      "cert",
      "issue",
      "--inventory",
      inventoryPath,
      "--cluster",
      "pg-z",
      ...extra,
    ]);
  const text = (extra: string[] = []) =>
    pgwarden(["--pki", pki, "cert", "issue", "--inventory", inventoryPath, "--cluster", "pg-z", ...extra]);
  const clusterKey = () => join(pki, "pgsql", "pg-z.key");

  before(async () => {
    ({ dir, cleanup } = await tempDir("pgwarden-fleet-review-"));
    pki = join(dir, "pki");
    inventoryPath = join(dir, "pigsty.yml");
    await writeFile(
      inventoryPath,
      `
all:
  children:
    etcd:
      hosts:
        etcd-a: { etcd_seq: 1, ansible_host: 127.0.0.7 }
      vars: { etcd_cluster: etcd }
    pg-z:
      hosts:
        db1: { pg_seq: 1, pg_role: primary, ansible_host: 127.0.0.5 }
        db2.example: { pg_seq: 2, pg_role: replica, ansible_host: db2.internal }
        127.0.0.3: { pg_seq: 3, pg_role: replica, ansible_host: el9 }
      vars: { pg_cluster: pg-z }
`,
    );
    ok(await pgwarden(["--pki", pki, "ca", "init"]), "ca init");
  });
  after(() => cleanup());

  test("a world-readable cluster key (openssl genrsa, chmod 644) is refused (exit 7, one line: file, mode, chmod 600), nothing written; at 0600 it is used", async () => {
    await mkdir(join(pki, "pgsql"), { recursive: true });
    await openssl(["genrsa", "-out", clusterKey(), "2048"]);
    await chmod(clusterKey(), 0o644);
    const before = await snapshot(dir);
    const refused = await text();
    assert.equal(refused.code, 7, refused.stderr);
    assert.match(
      refused.stderr,
      /^pgwarden: error: \S+pgsql\/pg-z\.key: mode 0644 lets group or others read it, .*chmod 600 \S+pg-z\.key/,
    );
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.deepEqual(await snapshot(dir), before, "nothing written, the key still 0644");
    const dry = await text(["--dry-run"]);
    assert.equal(dry.code, 7, `a dry run says so too: ${dry.stderr}`);

    await chmod(clusterKey(), 0o600);
    const issued = JSON.parse(ok(await fleet(), "at 0600").stdout) as FleetJson;
    assert.deepEqual(
      issued.clusterKeys.map((key) => key.action),
      ["keep"],
    );
    const keyPub = await openssl(["pkey", "-in", clusterKey(), "-pubout"]);
    for (const seq of [1, 2, 3])
      assert.equal(await openssl(["x509", "-in", join(pki, "pgsql", `pg-z-${seq}.crt`), "-noout", "-pubkey"]), keyPub);
  });

  test("a cluster key owned by another user, and an etcd key others can read, are refused (exit 7), nothing written", async () => {
    const before = await snapshot(dir);
    await chown(clusterKey(), 65534, 65534);
    try {
      const refused = await text();
      assert.equal(refused.code, 7, refused.stderr);
      assert.match(
        refused.stderr,
        /pg-z\.key: it belongs to another user \(uid 65534\), who can read it and replace it, .*chown/,
      );
      assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
      assert.deepEqual(await snapshot(dir), before);
    } finally {
      await chown(clusterKey(), process.getuid?.() ?? 0, process.getgid?.() ?? 0);
    }
    const etcdKey = join(pki, "etcd", "etcd-1.key");
    const all = (extra: string[] = []) =>
      pgwarden(["--pki", pki, "cert", "issue", "--inventory", inventoryPath, ...extra]);
    ok(await all(), "whole fleet (the etcd member too)");
    await chmod(etcdKey, 0o640);
    const snap = await snapshot(dir);
    const refused = await all();
    assert.equal(refused.code, 7, refused.stderr);
    assert.match(refused.stderr, /etcd\/etcd-1\.key: mode 0640 lets group or others read it/);
    assert.deepEqual(await snapshot(dir), snap);
    await chmod(etcdKey, 0o600);
  });

  test("ansible_host: a host keyed by name gets its name and its ansible_host (IP or DNS SAN); an IP key is the address, its ansible_host alias is not named (as Pigsty)", async () => {
    const expected: Record<string, string[]> = {
      "pgsql/pg-z-1.crt": [
        "DNS:pg-z-1",
        "DNS:pg-z",
        "DNS:db1",
        "IP Address:127.0.0.5",
        "DNS:localhost",
        "IP Address:127.0.0.1",
      ],
      "pgsql/pg-z-2.crt": [
        "DNS:pg-z-2",
        "DNS:pg-z",
        "DNS:db2.example",
        "DNS:db2.internal",
        "DNS:localhost",
        "IP Address:127.0.0.1",
      ],
      "pgsql/pg-z-3.crt": ["DNS:pg-z-3", "DNS:pg-z", "IP Address:127.0.0.3", "DNS:localhost", "IP Address:127.0.0.1"],
      "etcd/etcd-1.crt": ["DNS:etcd-1", "DNS:etcd-a", "IP Address:127.0.0.7", "DNS:localhost", "IP Address:127.0.0.1"],
    };
    const ca = join(pki, "ca", "ca.crt");
    for (const [path, sans] of Object.entries(expected))
      assert.deepEqual((await namesByOpenssl(join(pki, path))).sans, sans, path);
    // OpenSSL's own host and address checks, as a verify-full client makes them.
    const verify = (path: string, check: string[]) =>
      runClient("openssl", ["verify", "-purpose", "sslserver", ...check, "-CAfile", ca, join(pki, path)]);
    assert.equal((await verify("pgsql/pg-z-1.crt", ["-verify_ip", "127.0.0.5"])).code, 0);
    assert.equal((await verify("pgsql/pg-z-2.crt", ["-verify_hostname", "db2.internal"])).code, 0);
    assert.equal((await verify("etcd/etcd-1.crt", ["-verify_ip", "127.0.0.7"])).code, 0);
    assert.notEqual(
      (await verify("pgsql/pg-z-3.crt", ["-verify_hostname", "el9"])).code,
      0,
      "Pigsty's SSH alias is not a name of the certificate",
    );
  });

  test("a dangling symlink at the cluster key path: refused the same way every run (exit 2, says link, no 'another pgwarden'); --force replaces the link, kept as a link", async () => {
    const gone = join(dir, "nowhere", "pg-z.key");
    await rm(clusterKey());
    await symlink(gone, clusterKey());
    const before = await linkSnapshot(dir);
    for (const run of [1, 2]) {
      const refused = await text();
      assert.equal(refused.code, 2, `run ${run}: ${refused.stderr}`);
      assert.match(
        refused.stderr,
        /pg-z\.key is a symbolic link to \S+nowhere\/pg-z\.key, which does not exist: pgwarden does not follow links .*remove it.*--force/,
      );
      assert.doesNotMatch(refused.stderr, /another pgwarden/);
      assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
      assert.deepEqual(await linkSnapshot(dir), before, `run ${run}: nothing written`);
    }
    const dry = ok(await text(["--dry-run"]), "dry run");
    assert.match(dry.stderr, /without --force the run will refuse: .*symbolic link/);
    const forced = JSON.parse(ok(await fleet(["--force"]), "--force").stdout) as FleetJson & { warnings: string[] };
    assert.deepEqual(
      forced.clusterKeys.map((key) => key.action),
      ["create"],
    );
    const info = await lstat(clusterKey());
    assert.ok(info.isFile() && (info.mode & 0o777) === 0o600, "a real 0600 key where the link was");
    const backups = (await readdir(join(pki, "pgsql"))).filter(
      (name) => name.startsWith("pg-z.key.") && name.endsWith(".bak"),
    );
    assert.equal(backups.length, 1, backups.join(","));
    assert.equal(await readlink(join(pki, "pgsql", backups[0] as string)), gone, "the link kept as a link");
    assert.equal(
      await stat(gone).then(
        () => true,
        () => false,
      ),
      false,
      "nothing written where the link pointed",
    );
    assert.ok(forced.warnings.some((warning) => /replaced the symbolic link/.test(warning)));
    const keyPub = await openssl(["pkey", "-in", clusterKey(), "-pubout"]);
    for (const seq of [1, 2, 3]) {
      const cert = join(pki, "pgsql", `pg-z-${seq}.crt`);
      assert.equal(await openssl(["x509", "-in", cert, "-noout", "-pubkey"]), keyPub);
      assert.match(
        await openssl(["verify", "-purpose", "sslserver", "-CAfile", join(pki, "ca", "ca.crt"), cert]),
        /: OK/,
      );
    }
  });

  test("a symlink at an etcd key path (to another user's world-readable key) is never followed: refused without --force, nothing written; --force puts a real key there", async () => {
    const keyPath = join(pki, "etcd", "etcd-1.key");
    const elsewhere = join(dir, "planted-etcd-1.key");
    await rename(keyPath, elsewhere);
    await chown(elsewhere, 65534, 65534);
    await chmod(elsewhere, 0o644);
    const planted = await readFile(elsewhere, "utf8");
    await symlink(elsewhere, keyPath);
    const everything = (extra: string[] = []) =>
      pgwarden(["--pki", pki, "cert", "issue", "--inventory", inventoryPath, ...extra]);
    const before = await linkSnapshot(dir);
    const refused = await everything();
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /etcd\/etcd-1\.key is a symbolic link, which pgwarden does not follow/);
    assert.deepEqual(await linkSnapshot(dir), before, "nothing written");
    ok(await everything(["--force"]), "--force");
    const info = await lstat(keyPath);
    assert.ok(info.isFile() && (info.mode & 0o777) === 0o600, "a real 0600 key where the link was");
    assert.equal(await readFile(elsewhere, "utf8"), planted, "nothing written where the link pointed");
    assert.match(
      await openssl([
        "verify",
        "-purpose",
        "sslclient",
        "-CAfile",
        join(pki, "ca", "ca.crt"),
        join(pki, "etcd", "etcd-1.crt"),
      ]),
      /: OK/,
    );
  });

  test("after a new CA with the same name: the fleet says another CA of that name signed them and that --force re-issues (exit 2); --force does", async () => {
    await rename(join(pki, "ca"), join(dir, "old-ca"));
    ok(await pgwarden(["--pki", pki, "ca", "init"]), "a new CA, same name");
    const refused = await text();
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /pg-z-1\.crt is not the planned certificate \(it was signed by another key named CN=\S+ \(another CA with the same name/,
    );
    assert.match(refused.stderr, /signed by another CA named CN=\S+, not this one; --force re-issues it/);
    assert.doesNotMatch(refused.stderr, /no certificate in the CA file/);
    ok(await fleet(["--force"]), "--force");
    assert.match(
      await openssl([
        "verify",
        "-purpose",
        "sslserver",
        "-CAfile",
        join(pki, "ca", "ca.crt"),
        join(pki, "pgsql", "pg-z-1.crt"),
      ]),
      /: OK/,
    );
  });
});
