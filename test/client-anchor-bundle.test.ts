/*
 * While the client intermediate is being rotated, a server's ssl_ca_file holds the anchor twins of
 * the current and the rotated client intermediates (ca/rotated/client-<key id>.anchor.crt, what
 * `ca rotate --intermediate client` keeps), so certificates of both log in on a real PostgreSQL 15;
 * once the rotated twin is gone (retired), certificates of the old intermediate are refused.
 * The rotation itself is laid out by hand here, as `ca rotate --intermediate` would leave it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFile, mkdir, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";
import { psql } from "./support/clients.js";
import { startSandbox, type TestSandbox } from "./support/sandbox.js";

const ROLE = "app";

function keyId(path: string): string {
  const text = spawnSync("openssl", ["x509", "-in", path, "-noout", "-ext", "subjectKeyIdentifier"], {
    encoding: "utf8",
  });
  return (text.stdout.split("\n")[1] ?? "").trim().replace(/:/g, "").toLowerCase();
}

const count = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;

describe("ssl_ca_file during a client intermediate rotation", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let pki: string;
  let sandbox: TestSandbox;

  before(async () => {
    work = await tempDir();
    pki = join(work.dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--intermediates", "--pki", pki, "--no-passphrase"])).code, 0);
    sandbox = await startSandbox(pki);
    await sandbox.sql(`CREATE ROLE ${ROLE} LOGIN`);
  });
  after(async () => {
    await sandbox?.stop();
    await work?.cleanup();
  });

  const issue = async (group: string) => {
    const result = await pgwarden([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "client",
      "--cn",
      ROLE,
      "--group",
      group,
    ]);
    assert.equal(result.code, 0, result.stderr);
  };
  const login = (group: string) =>
    psql(
      `host=localhost port=${sandbox.port} dbname=postgres user=${ROLE} sslmode=verify-full ` +
        `sslrootcert=${pki}/ca/ca.crt sslcert=${pki}/${group}/${ROLE}.crt sslkey=${pki}/${group}/${ROLE}.key`,
    );

  test("certificates of the old and the new client intermediate both log in; after retirement only the new one's", async () => {
    await issue("old");
    assert.equal((await login("old")).stdout, ROLE);

    // The old client intermediate (and its twin) move to ca/rotated, a new one takes its place.
    const ca = join(pki, "ca");
    const stem = `client-${keyId(join(ca, "client-ca.crt")).slice(0, 16)}`;
    await mkdir(join(ca, "rotated"), { recursive: true });
    for (const [from, to] of [
      ["client-ca.crt", `${stem}.crt`],
      ["client-ca.key", `${stem}.key`],
      ["client-ca.anchor.crt", `${stem}.anchor.crt`],
    ] as const)
      await copyFile(join(ca, from), join(ca, "rotated", to));
    const made = await pgwarden(["ca", "intermediate", "create", "--pki", pki, "--name", "client", "--force"]);
    assert.equal(made.code, 0, made.stderr);
    await issue("new");
    await sandbox.restore();

    const installed = await readFile(join(sandbox.pgdata, "root.crt"), "utf8");
    assert.equal(count(installed), 2);
    assert.equal(
      installed,
      `${await readFile(join(ca, "client-ca.anchor.crt"), "utf8")}${await readFile(join(ca, "rotated", `${stem}.anchor.crt`), "utf8")}`,
    );
    assert.equal((await login("old")).stdout, ROLE, "the old intermediate's certificate still logs in");
    assert.equal((await login("new")).stdout, ROLE, "the new intermediate's certificate logs in");
    assert.equal(await sandbox.sql("SELECT 1"), "1", "the superuser's (old) certificate too");

    // Retired: the rotated twin leaves ca/rotated, and the next deployment drops it.
    await mkdir(join(ca, "retired"), { recursive: true });
    for (const suffix of [".crt", ".key", ".anchor.crt"])
      await rename(join(ca, "rotated", `${stem}${suffix}`), join(ca, "retired", `${stem}${suffix}`));
    await sandbox.restore();
    assert.equal(
      await readFile(join(sandbox.pgdata, "root.crt"), "utf8"),
      await readFile(join(ca, "client-ca.anchor.crt"), "utf8"),
    );
    assert.equal((await login("old")).ok, false, "the old intermediate's certificate is refused");
    assert.equal((await login("new")).stdout, ROLE);
  });
});
