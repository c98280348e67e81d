/*
 * The whole rotation of a PKI made by `ca init --intermediates`, with CRLs in force on both sides, while real
 * clients (psql with sslcrl and node-postgres, sslmode=verify-full with a client certificate from `cert export`)
 * connect in loops to a running PostgreSQL 15 sandbox: ca rotate; ca rotate --intermediate server; ca rotate
 * --intermediate client; pgwarden crl; deploy (cert export, sandbox up, which reloads); cert renew --all; pgwarden
 * crl; deploy; ca retire of the old client and server intermediates and the old root; pgwarden crl; deploy. No
 * attempt may fail at any step; at the end a client certificate of the old client intermediate is refused.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";
import { ClientLoops, servedChain } from "./support/client-loops.js";
import { nodePostgres, psql } from "./support/clients.js";
import { startSandbox, type TestSandbox } from "./support/sandbox.js";

const ROLE = "app";

/** `openssl verify` of `certPath` (leaf, then its chain as -untrusted) against `caFile` alone. */
function opensslVerifies(caFile: string, certPath: string, untrusted?: string): boolean {
  const args = ["verify", "-CAfile", caFile, ...(untrusted ? ["-untrusted", untrusted] : []), certPath];
  return spawnSync("openssl", args, { encoding: "utf8" }).status === 0;
}

describe("rotation of root and intermediates with CRLs, clients connected throughout", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let pki: string;
  let sandbox: TestSandbox;

  const ok = async (args: string[]): Promise<string> => {
    const result = await pgwarden([...args, "--pki", pki]);
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  };

  before(async () => {
    work = await tempDir();
    pki = join(work.dir, "pki");
    await ok(["ca", "init", "--intermediates", "--no-passphrase"]);
    await ok(["crl"]);
    sandbox = await startSandbox(pki);
    await sandbox.sql(`CREATE ROLE ${ROLE} LOGIN`);
    await ok(["cert", "issue", "--profile", "client", "--cn", ROLE]);
  });
  after(async () => {
    await sandbox?.stop();
    await work?.cleanup();
  });

  test("no psql (sslcrl) or node-postgres attempt fails through every rotation, renewal, CRL and retire; the old client intermediate's certificate is refused after", async (t) => {
    const clientDir = join(work.dir, "client");
    const oldDir = join(work.dir, "old-client");
    await mkdir(oldDir, { mode: 0o700 });
    const exportBundle = async () =>
      JSON.parse(
        await ok([
          "cert",
          "export",
          "--cn",
          ROLE,
          "--out",
          clientDir,
          "--port",
          String(sandbox.port),
          "--format",
          "json",
        ]),
      ) as { libpq: string; nodePostgres: string; crl?: { path: string } };
    const deploy = async () => {
      // Clients first: the server may serve a certificate of the new issuers after it reloads.
      await exportBundle();
      await sandbox.restore();
    };
    const first = await exportBundle();
    const { libpq, nodePostgres: url } = first;
    assert.match(libpq, /sslcrl=/, "libpq checks the server certificate against the CRL");
    assert.ok(first.crl);
    await readFile(join(sandbox.pgdata, "root.crl"));
    for (const name of ["postgresql.crt", "postgresql.key"]) await copyFile(join(clientDir, name), join(oldDir, name));
    const oldClientCa = join(work.dir, "old-client-ca.crt");
    await writeFile(oldClientCa, await readFile(join(pki, "ca", "client-ca.crt")));
    const oldRoot = join(work.dir, "old-root.crt");
    await writeFile(oldRoot, await readFile(join(pki, "ca", "ca.crt")));

    const loops = new ClientLoops({ psql: () => psql(libpq), "node-postgres": () => nodePostgres(url) });
    const old: Record<string, string> = {};
    const rotate = async (name: string, args: string[]) => {
      const rotated = JSON.parse(await ok(["ca", "rotate", ...args, "--format", "json"])) as {
        previous: { keyId: string };
      };
      old[name] = rotated.previous.keyId;
    };
    const crl = async () => {
      await ok(["crl"]);
    };
    try {
      await loops.run("start", () => Promise.resolve());
      await loops.run("ca rotate", () => rotate("ca", []));
      await loops.run("ca rotate --intermediate server", () => rotate("server", ["--intermediate", "server"]));
      await loops.run("ca rotate --intermediate client", () => rotate("client", ["--intermediate", "client"]));
      await loops.run("pgwarden crl", crl);
      await loops.run("deploy the trust of old and new", deploy);
      await loops.run("cert renew --all", async () => {
        await ok(["cert", "renew", "--all"]);
      });
      await loops.run("pgwarden crl after renew", crl);
      await loops.run("deploy the renewed certificates", deploy);
      await loops.run("ca retire the old client intermediate", async () => {
        await ok(["ca", "retire", old.client as string]);
      });
      await loops.run("ca retire the old server intermediate", async () => {
        await ok(["ca", "retire", old.server as string]);
      });
      await loops.run("ca retire the old root", async () => {
        await ok(["ca", "retire", old.ca as string]);
      });
      await loops.run("pgwarden crl after retire", crl);
      await loops.run("deploy the new issuers alone", deploy);
    } finally {
      await loops.stop();
    }

    const failed = loops.attempts.filter((attempt) => !attempt.outcome.ok);
    assert.deepEqual(
      failed.map((attempt) => `${attempt.step} / ${attempt.client}: ${attempt.outcome.stderr}`),
      [],
      "no connection attempt failed",
    );
    const steps = [...new Set(loops.attempts.map((attempt) => attempt.step))];
    assert.equal(steps.length, 14);
    assert.ok(loops.attempts.every((attempt) => attempt.outcome.stdout === ROLE));
    t.diagnostic(
      steps
        .map((step) => `${step}: ${loops.attempts.filter((item) => item.step === step).length} connections`)
        .join("; "),
    );

    // The server serves a certificate of the new server intermediate, under the new root only.
    const [leaf, intermediate] = servedChain(sandbox.port);
    assert.ok(leaf && intermediate, "leaf and intermediate served");
    const served = join(work.dir, "served.crt");
    const servedCa = join(work.dir, "served-ca.crt");
    await writeFile(served, leaf.toString());
    await writeFile(servedCa, intermediate.toString());
    assert.ok(
      opensslVerifies(join(pki, "ca", "ca.crt"), served, servedCa),
      "the served chain verifies under the new root",
    );
    assert.ok(!opensslVerifies(oldRoot, served, servedCa), "and not under the old one");
    assert.ok(
      new X509Certificate(await readFile(join(clientDir, "postgresql.crt"))).checkIssued(
        new X509Certificate(await readFile(join(pki, "ca", "client-ca.crt"))),
      ),
      "the exported client certificate is the new client intermediate's",
    );

    // The old client intermediate's certificate, kept from the start, is refused; the renewed one gets in.
    const oldCert = new X509Certificate(await readFile(join(oldDir, "postgresql.crt")));
    assert.ok(
      oldCert.checkIssued(new X509Certificate(await readFile(oldClientCa))),
      "kept from the old client intermediate",
    );
    assert.ok(
      oldCert.validTo && new Date(oldCert.validTo) > new Date(),
      "and not expired: refused for its issuer alone",
    );
    const withOld = libpq
      .replace(join(clientDir, "postgresql.crt"), join(oldDir, "postgresql.crt"))
      .replace(join(clientDir, "postgresql.key"), join(oldDir, "postgresql.key"));
    assert.notEqual(withOld, libpq);
    const refused = await psql(withOld);
    assert.equal(refused.ok, false, "the old client intermediate's certificate is refused");
    const oldUrl = url
      .replace(
        encodeURIComponent(join(clientDir, "postgresql.crt")),
        encodeURIComponent(join(oldDir, "postgresql.crt")),
      )
      .replace(join(clientDir, "postgresql.crt"), join(oldDir, "postgresql.crt"))
      .replace(
        encodeURIComponent(join(clientDir, "postgresql.key")),
        encodeURIComponent(join(oldDir, "postgresql.key")),
      )
      .replace(join(clientDir, "postgresql.key"), join(oldDir, "postgresql.key"));
    assert.notEqual(oldUrl, url);
    assert.equal((await nodePostgres(oldUrl)).ok, false, "node-postgres with the old certificate is refused");
    assert.equal((await psql(libpq)).stdout, ROLE);
  });
});
