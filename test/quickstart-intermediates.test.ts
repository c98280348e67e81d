/*
 * quickstart and intermediates: a new PKI gets the "server" and "client" intermediates, and the
 * sandbox lets in only certificates of "client"; a PKI made by `ca init --intermediates` is adopted as
 * it is, its login certificates issued by "client" (a root-signed one would be refused by a server
 * that trusts the client intermediate alone). Each case ends with real logins: quickstart's own, the
 * psql line it prints, and a root-signed certificate of the same role that PostgreSQL refuses.
 */
import assert from "node:assert/strict";
import { randomBytes, X509Certificate } from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import { pgwarden } from "./support/cli.js";
import { psql } from "./support/clients.js";

const dirs: string[] = [];

after(async () => {
  for (const dir of dirs) {
    await pgwarden(["sandbox", "down", "--dir", join(dir, "sandbox"), "--purge"]);
    await rm(dir, { recursive: true, force: true });
  }
});

interface QuickstartJson {
  pki: string;
  sandbox: { state: { pgdata: string; port: number; superuser: string } };
  client: { certPath: string; keyPath: string };
  psql: string;
}

/** Runs quickstart in a fresh directory straight under the temp dir (the postgres account must enter it). */
async function quickstart(prepare?: (dir: string) => Promise<void>): Promise<{ json: QuickstartJson; text: string }> {
  const dir = join(tmpdir(), `pgwarden-quickstart-int-${randomBytes(4).toString("hex")}`);
  dirs.push(dir);
  await prepare?.(dir);
  const run = await pgwarden(["quickstart", "--dir", dir, "--format", "json"], { timeoutMs: 240_000 });
  assert.equal(run.code, 0, run.stderr);
  // Run again as text: the existing sandbox and PKI are kept, and the text says which issuers serve.
  const again = await pgwarden(["quickstart", "--dir", dir], { timeoutMs: 240_000 });
  assert.equal(again.code, 0, again.stderr);
  return { json: JSON.parse(run.stdout) as QuickstartJson, text: again.stdout };
}

function signedBy(certPem: string, issuerPem: string): boolean {
  const cert = new X509Certificate(certPem);
  const issuer = new X509Certificate(issuerPem);
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** What both cases prove on the running sandbox: client-only trust, the printed psql line, a root-signed login refused. */
async function assertClientIntermediateOnly(json: QuickstartJson): Promise<void> {
  const ca = (name: string) => readFile(join(json.pki, "ca", name), "utf8");
  assert.equal(
    await readFile(join(json.sandbox.state.pgdata, "root.crt"), "utf8"),
    await ca("client-ca.anchor.crt"),
    "ssl_ca_file is the client intermediate's anchor twin",
  );
  const clientCert = await readFile(json.client.certPath, "utf8");
  assert.ok(
    signedBy(clientCert, await ca("client-ca.crt")),
    "dbuser_dba's certificate comes from the client intermediate",
  );
  const admin = await readFile(join(json.pki, "sandbox", `${json.sandbox.state.superuser}.crt`), "utf8");
  assert.ok(signedBy(admin, await ca("client-ca.crt")), "so does the superuser's");

  const pasted = /^psql "([^"]+)"$/.exec(json.psql)?.[1];
  assert.ok(pasted, json.psql);
  assert.equal((await psql(pasted)).stdout, "dbuser_dba", "the printed psql line logs in");

  // The same role with a certificate the root signed: PostgreSQL refuses it, so every login above came from "client".
  const issued = await pgwarden([
    "cert",
    "issue",
    "--pki",
    json.pki,
    "--profile",
    "client",
    "--cn",
    "dbuser_dba",
    "--group",
    "root-signed",
    "--issuer",
    "ca",
  ]);
  assert.equal(issued.code, 0, issued.stderr);
  const rootSigned = pasted
    .replace(json.client.certPath, join(json.pki, "root-signed", "dbuser_dba.crt"))
    .replace(json.client.keyPath, join(json.pki, "root-signed", "dbuser_dba.key"));
  assert.notEqual(rootSigned, pasted);
  assert.equal((await psql(rootSigned)).ok, false, "a root-signed certificate is refused");
}

test("quickstart with a new PKI makes the server and client intermediates; only client certificates log in", async () => {
  const { json, text } = await quickstart();
  for (const name of ["server-ca.crt", "client-ca.crt", "client-ca.anchor.crt"])
    await readFile(join(json.pki, "ca", name), "utf8");
  assert.match(text, /intermediates: server certificates from "server", logins only with certificates from "client"/);
  await assertClientIntermediateOnly(json);
});

test("quickstart adopts a PKI made by ca init --intermediates: its logins use client certificates and get in", async () => {
  const made = new Map<string, string>();
  const { json, text } = await quickstart(async (dir) => {
    // As quickstart makes it: enterable by the postgres account, which runs the sandbox below it.
    await mkdir(dir, { mode: 0o711 });
    const init = await pgwarden(["ca", "init", "--intermediates", "--pki", join(dir, "pki"), "--no-passphrase"]);
    assert.equal(init.code, 0, init.stderr);
    for (const name of ["ca.crt", "server-ca.crt", "client-ca.crt"])
      made.set(name, await readFile(join(dir, "pki", "ca", name), "utf8"));
  });
  for (const [name, pem] of made) assert.equal(await readFile(join(json.pki, "ca", name), "utf8"), pem, `${name} kept`);
  assert.match(text, /logins only with certificates from "client"/);
  await assertClientIntermediateOnly(json);
});

test("quickstart run again during a root rotation: its logins and the printed psql line use ca/roots.crt and get in", async () => {
  // A PKI without intermediates: with them, the root's rotation waits for theirs (ca rotate --intermediate).
  const { json } = await quickstart(async (dir) => {
    await mkdir(dir, { mode: 0o711 });
    const init = await pgwarden(["ca", "init", "--pki", join(dir, "pki"), "--no-passphrase"]);
    assert.equal(init.code, 0, init.stderr);
  });
  const pki = json.pki;
  const rotated = await pgwarden(["ca", "rotate", "--pki", pki]);
  assert.equal(rotated.code, 0, rotated.stderr);
  const again = await pgwarden(["quickstart", "--dir", join(pki, ".."), "--format", "json"], { timeoutMs: 240_000 });
  assert.equal(again.code, 0, again.stderr);
  const pasted = /^psql "([^"]+)"$/.exec((JSON.parse(again.stdout) as QuickstartJson).psql)?.[1];
  assert.ok(pasted);
  assert.match(pasted, /sslrootcert=\S*\/ca\/roots\.crt/);
  assert.equal((await psql(pasted)).stdout, "dbuser_dba", "the printed psql line logs in");
  // The served chain still ends at the old root: the new root alone would not verify it.
  const newRootOnly = pasted.replace(/sslrootcert=\S*\/ca\/roots\.crt/, `sslrootcert=${join(pki, "ca", "ca.crt")}`);
  assert.equal((await psql(newRootOnly)).ok, false, "ca/ca.crt alone does not verify the server yet");
});
