/*
 * `ca intermediate create` and `ca init --intermediates` checked by OpenSSL: each intermediate
 * verifies under ca.crt (-x509_strict), each leaf it signs under ca.crt with the intermediate
 * as -untrusted, and `cert verify FILE` (which finds the intermediates in ca/) gives the same
 * verdict as `openssl verify` for every row, name constraints included. Also the CLI's
 * refusals: an existing intermediate (exit 2, nothing changed), an unknown --issuer (exit 4).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, REPO_ROOT, snapshot, tempDir } from "./support/cli.js";
import { runClient } from "./support/pg-cluster.js";

interface Issued {
  certPath: string;
  chainPath?: string;
  issuerName: string;
}

describe("intermediates, checked by openssl verify", { timeout: 120_000 }, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let other: string;

  const ok = async (args: readonly string[]) => {
    const result = await pgwarden(args);
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    return result;
  };
  const issue = async (root: string, profile: string, cn: string, extra: readonly string[] = []) => {
    const result = await ok([
      "--format",
      "json",
      "cert",
      "issue",
      "--pki",
      root,
      "--profile",
      profile,
      "--cn",
      cn,
      ...extra,
    ]);
    return (JSON.parse(result.stdout) as { issued: Issued[] }).issued[0] as Issued;
  };
  const openssl = (args: readonly string[]) => runClient("openssl", ["verify", "-x509_strict", ...args]);

  before(async () => {
    ({ dir, cleanup } = await tempDir("pgwarden-int-openssl-"));
    pki = join(dir, "pki");
    other = join(dir, "other");
    await ok(["ca", "init", "--pki", pki, "--intermediates", "--no-passphrase"]);
    await ok(["ca", "init", "--pki", other, "--intermediates", "--no-passphrase"]);
    await ok([
      "ca",
      "intermediate",
      "create",
      "--pki",
      pki,
      "--name",
      "scoped",
      "--permit-dns",
      ".db.example.com",
      "--permit-ip",
      "10.10.0.0/16",
    ]);
  });
  after(() => cleanup?.());

  test("each intermediate verifies under ca.crt (openssl -x509_strict)", async () => {
    for (const name of ["server", "client", "scoped"]) {
      const result = await openssl(["-CAfile", join(pki, "ca", "ca.crt"), join(pki, "ca", `${name}-ca.crt`)]);
      assert.equal(result.code, 0, `${name}: ${result.stdout}${result.stderr}`);
    }
  });

  test("cert verify agrees with openssl verify on leaves of every issuer, of another PKI, and outside name constraints", async () => {
    const rows: { name: string; leaf: Issued; untrusted: string; purpose: string; expectOk: boolean }[] = [
      {
        name: "server leaf from the server intermediate",
        leaf: await issue(pki, "server", "db1.example.com", ["--san", "127.0.0.1"]),
        untrusted: "server",
        purpose: "server",
        expectOk: true,
      },
      {
        name: "client leaf from the client intermediate",
        leaf: await issue(pki, "client", "app_user"),
        untrusted: "client",
        purpose: "client",
        expectOk: true,
      },
      {
        name: "client leaf from the root (--issuer ca)",
        leaf: await issue(pki, "client", "root_user", ["--issuer", "ca", "--group", "rootsigned"]),
        untrusted: "client",
        purpose: "client",
        expectOk: true,
      },
      {
        name: "leaf inside the name constraints",
        leaf: await issue(pki, "server", "pg1.db.example.com", [
          "--issuer",
          "scoped",
          "--san",
          "10.10.1.1",
          "--group",
          "scoped",
        ]),
        untrusted: "scoped",
        purpose: "server",
        expectOk: true,
      },
      {
        name: "leaf outside the name constraints (openssl error 47)",
        leaf: await issue(pki, "server", "pg1.elsewhere.org", ["--issuer", "scoped", "--group", "scoped"]),
        untrusted: "scoped",
        purpose: "server",
        expectOk: false,
      },
      {
        name: "client leaf of another PKI's client intermediate",
        leaf: await issue(other, "client", "app_user"),
        untrusted: "client",
        purpose: "client",
        expectOk: false,
      },
    ];
    for (const row of rows) {
      const reference = await openssl([
        "-purpose",
        row.purpose === "server" ? "sslserver" : "sslclient",
        "-CAfile",
        join(pki, "ca", "ca.crt"),
        "-untrusted",
        join(pki, "ca", `${row.untrusted}-ca.crt`),
        row.leaf.certPath,
      ]);
      assert.equal(
        reference.code === 0,
        row.expectOk,
        `openssl on ${row.name}: ${reference.stdout}${reference.stderr}`,
      );
      const ours = await pgwarden(["cert", "verify", "--pki", pki, "--purpose", row.purpose, row.leaf.certPath]);
      assert.equal(ours.code, row.expectOk ? 0 : 1, `cert verify on ${row.name}: ${ours.stdout}${ours.stderr}`);
    }
  });

  test("cert issue --inventory signs the fleet with the server intermediate, writes chain files, and a second run keeps them all", async () => {
    const inventory = join(REPO_ROOT, "test", "fixtures", "pigsty", "trio.yml");
    const run = async () => {
      const result = await ok([
        "--format",
        "json",
        "cert",
        "issue",
        "--pki",
        pki,
        "--inventory",
        inventory,
        "--cluster",
        "pg-meta",
      ]);
      return (JSON.parse(result.stdout) as { certificates: { action: string; certPath: string }[] }).certificates;
    };
    const first = await run();
    assert.ok(first.length > 0 && first.every((item) => item.action === "issue"));
    for (const item of first) {
      const certPath = join(pki, item.certPath);
      const reference = await openssl([
        "-purpose",
        "sslserver",
        "-CAfile",
        join(pki, "ca", "ca.crt"),
        "-untrusted",
        join(pki, "ca", "server-ca.crt"),
        certPath,
      ]);
      assert.equal(reference.code, 0, `${item.certPath}: ${reference.stdout}${reference.stderr}`);
      const chain = await readFile(certPath.replace(/\.crt$/, ".fullchain.crt"), "utf8");
      assert.equal(
        chain,
        (await readFile(certPath, "utf8")) + (await readFile(join(pki, "ca", "server-ca.crt"), "utf8")),
      );
    }
    assert.deepEqual(
      (await run()).map((item) => item.action),
      first.map(() => "keep"),
      "the second run keeps every certificate of the intermediate",
    );
  });

  test("a fleet issued by the root before intermediates existed is re-issued from the server intermediate, without --force", async () => {
    const migrate = join(dir, "migrate");
    const inventory = join(REPO_ROOT, "test", "fixtures", "pigsty", "trio.yml");
    await ok(["ca", "init", "--pki", migrate, "--no-passphrase"]);
    const run = async () => {
      const args = [
        "--format",
        "json",
        "cert",
        "issue",
        "--pki",
        migrate,
        "--inventory",
        inventory,
        "--cluster",
        "pg-meta",
      ];
      const result = await ok(args);
      return (JSON.parse(result.stdout) as { certificates: { action: string; foreign: string | null }[] }).certificates;
    };
    assert.ok((await run()).every((item) => item.action === "issue"));
    await ok(["ca", "intermediate", "create", "--pki", migrate, "--name", "server"]);
    const second = await run();
    assert.ok(
      second.every((item) => item.action === "reissue" && item.foreign === null),
      JSON.stringify(second),
    );
    assert.ok((await run()).every((item) => item.action === "keep"));
  });

  test("an existing intermediate is refused (exit 2) and nothing changes; an unknown --issuer is exit 4 naming the issuers", async () => {
    const before = await snapshot(pki);
    const again = await pgwarden(["ca", "intermediate", "create", "--pki", pki, "--name", "client"]);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /^pgwarden: error: .*client-ca\.(key|crt|anchor\.crt) already exists.*--force/);
    assert.equal(again.stderr.trim().split("\n").length, 1);
    const unknown = await pgwarden([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "client",
      "--cn",
      "x",
      "--issuer",
      "nope",
    ]);
    assert.equal(unknown.code, 4, unknown.stderr);
    assert.match(unknown.stderr, /no issuer "nope" .*the issuers are ca, client, scoped, server/);
    assert.deepEqual(await snapshot(pki), before);
  });
});
