/*
 * Adopting a CA made elsewhere (issue 11, points 12-14): every CA here is made by `openssl`,
 * and pgwarden's verdict on it (refuse, warn, accept) is checked against what OpenSSL
 * decides about a leaf under it: refused CAs give leaves that fail `openssl verify` at
 * libpq's security level, or with the purpose libssl sets (or that the issue names), warned CAs give leaves that pass it but
 * fail `-x509_strict` (or fail for names outside the constraints), accepted CAs give leaves
 * that pass both.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmod, mkdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { rawIssuer } from "../src/pki/authority/certificates-signed-by.js";
import { pgwarden, snapshot, tempDir } from "./support/cli.js";

interface Run {
  readonly status: number | null;
  readonly out: string;
}

function opensslRun(args: readonly string[], cwd?: string): Run {
  const run = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (run.error) throw run.error;
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

function openssl(args: readonly string[], cwd?: string): string {
  const run = opensslRun(args, cwd);
  assert.equal(run.status, 0, `openssl ${args.join(" ")} failed: ${run.out}`);
  return run.out;
}

/** `openssl verify` as libpq verifies (security level 2 on Debian), optionally strict. */
function verifies(caFile: string, leaf: string, strict: boolean, purpose?: "sslserver" | "sslclient"): boolean {
  const purposeArgs = purpose ? ["-purpose", purpose] : [];
  return (
    opensslRun([
      "verify",
      "-auth_level",
      "2",
      ...(strict ? ["-x509_strict"] : []),
      ...purposeArgs,
      "-CAfile",
      caFile,
      leaf,
    ]).status === 0
  );
}

/** The extensions pgwarden gives a server leaf, for leaves openssl signs under each CA. */
const LEAF_EXTENSIONS = [
  "basicConstraints=critical,CA:FALSE",
  "keyUsage=critical,digitalSignature",
  "extendedKeyUsage=serverAuth",
  "subjectKeyIdentifier=hash",
  "authorityKeyIdentifier=keyid",
  "subjectAltName=DNS:db1",
].join("\n");

/** `openssl req -newkey` arguments for a fresh P-256 key. */
const NEW_P256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
const P256 = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];

let dir: string;
let cleanup: () => Promise<void>;
let leafCsr: string;
let leafExt: string;
/** The same leaf for TLS client authentication, to ask OpenSSL about the sslclient purpose. */
let clientLeafExt: string;
let caConfig: string;

before(async () => {
  ({ dir, cleanup } = await tempDir("pgwarden-ca-adopt-"));
  leafCsr = join(dir, "leaf.csr");
  leafExt = join(dir, "leaf.ext");
  await writeFile(leafExt, `${LEAF_EXTENSIONS}\n`);
  clientLeafExt = join(dir, "client-leaf.ext");
  await writeFile(
    clientLeafExt,
    `${LEAF_EXTENSIONS.replace("extendedKeyUsage=serverAuth", "extendedKeyUsage=clientAuth")}\n`,
  );
  openssl([
    "req",
    "-new",
    ...NEW_P256,
    "-nodes",
    "-keyout",
    join(dir, "leaf.key"),
    "-subj",
    "/CN=db1",
    "-out",
    leafCsr,
  ]);
  // `openssl ca` is the one openssl 3.0 command that writes a chosen notBefore/notAfter.
  await mkdir(join(dir, "cadb"));
  await writeFile(join(dir, "cadb", "index.txt"), "");
  await writeFile(join(dir, "cadb", "serial"), "01\n");
  caConfig = join(dir, "ca.cnf");
  await writeFile(
    caConfig,
    [
      "[ca]",
      "default_ca = d",
      "[d]",
      `database = ${join(dir, "cadb", "index.txt")}`,
      `new_certs_dir = ${join(dir, "cadb")}`,
      `serial = ${join(dir, "cadb", "serial")}`,
      "default_md = sha256",
      "policy = p",
      "unique_subject = no",
      "[p]",
      "commonName = supplied",
      "[root]",
      "basicConstraints = critical,CA:TRUE",
      "keyUsage = critical,keyCertSign,cRLSign",
      "subjectKeyIdentifier = hash",
      "",
    ].join("\n"),
  );
});
after(() => cleanup());

/** A PKI directory whose ca/ holds `ca.key` (made here) and the ca.crt `make` writes. */
interface CaCase {
  readonly name: string;
  /** Writes ca/ca.crt from ca/ca.key (and may replace the key); `pki` is the PKI root. */
  readonly make: (pki: string, key: string, cert: string) => Promise<void> | void;
  readonly keyAlgorithm?: readonly string[];
  readonly verdict: "accept" | "warn" | "refuse";
  /** What pgwarden says (the error for refuse, a warning for warn). */
  readonly message?: RegExp;
  /** What OpenSSL decides about a leaf under this CA: libpq-like, and strict. */
  readonly openssl: { readonly lenient: boolean; readonly strict: boolean };
  /**
   * What OpenSSL decides with the purpose libssl sets (libpq checks a server certificate as
   * sslserver, PostgreSQL a client certificate as sslclient), for a server and a client leaf.
   */
  readonly purposes?: { readonly server: boolean; readonly client: boolean };
}

const selfSigned =
  (extensions: readonly string[], subject = "/CN=adopted-ca") =>
  (_pki: string, key: string, cert: string) => {
    const added = extensions.flatMap((ext) => ["-addext", ext]);
    openssl([
      "req",
      "-x509",
      "-new",
      "-key",
      key,
      "-sha256",
      "-days",
      "3650",
      "-subj",
      subject,
      "-config",
      "/dev/null",
      ...added,
      "-out",
      cert,
    ]);
  };
const withDates = (start: string, end: string) => (_pki: string, key: string, cert: string) => {
  const csr = `${cert}.csr`;
  openssl(["req", "-new", "-key", key, "-subj", "/CN=dated-ca", "-config", "/dev/null", "-out", csr]);
  const dates = ["-startdate", start, "-enddate", end];
  openssl([
    "ca",
    "-batch",
    "-config",
    caConfig,
    "-selfsign",
    "-keyfile",
    key,
    "-in",
    csr,
    ...dates,
    "-extensions",
    "root",
    "-notext",
    "-out",
    cert,
  ]);
};
const GOOD = [
  "basicConstraints=critical,CA:TRUE",
  "keyUsage=critical,keyCertSign,cRLSign",
  "subjectKeyIdentifier=hash",
];

const CASES: readonly CaCase[] = [
  { name: "a compliant root", make: selfSigned(GOOD), verdict: "accept", openssl: { lenient: true, strict: true } },
  {
    name: "an expired root",
    make: withDates("20200101000000Z", "20210101000000Z"),
    verdict: "refuse",
    message: /expired on 2021-01-01T00:00:00.000Z.*ca init/,
    openssl: { lenient: false, strict: false },
  },
  {
    name: "a root not yet valid",
    make: withDates("20400101000000Z", "20410101000000Z"),
    verdict: "refuse",
    message: /not valid before 2040-01-01T00:00:00.000Z/,
    openssl: { lenient: false, strict: false },
  },
  {
    name: "an intermediate as ca.crt",
    make: async (pki, key, cert) => {
      const rootKey = join(pki, "..", "root.key");
      const rootCrt = join(pki, "..", "root.crt");
      openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", rootKey]);
      selfSigned(GOOD, "/CN=real-root")(pki, rootKey, rootCrt);
      const csr = `${cert}.csr`;
      openssl(["req", "-new", "-key", key, "-subj", "/CN=intermediate", "-config", "/dev/null", "-out", csr]);
      const ext = `${cert}.ext`;
      await writeFile(
        ext,
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n",
      );
      openssl([
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        rootCrt,
        "-CAkey",
        rootKey,
        "-set_serial",
        "2",
        "-days",
        "365",
        "-extfile",
        ext,
        "-out",
        cert,
      ]);
    },
    verdict: "refuse",
    message: /not a self-signed root \(issued by CN=real-root\).*verify-full/,
    openssl: { lenient: false, strict: false },
  },
  {
    name: "a root whose keyUsage lacks keyCertSign",
    make: selfSigned([
      "basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,digitalSignature,cRLSign",
      "subjectKeyIdentifier=hash",
    ]),
    verdict: "refuse",
    message: /keyUsage without keyCertSign/,
    openssl: { lenient: false, strict: false },
  },
  {
    name: "a root with basicConstraints CA:FALSE",
    make: selfSigned([
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,keyCertSign,cRLSign",
      "subjectKeyIdentifier=hash",
    ]),
    verdict: "refuse",
    message: /not a CA certificate/,
    openssl: { lenient: false, strict: false },
  },
  {
    // OpenSSL's lenient mode takes keyCertSign for CA:TRUE; pgwarden does not adopt a certificate that does not say it is a CA.
    name: "a root without basicConstraints",
    make: selfSigned(["keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash"]),
    verdict: "refuse",
    message: /not a CA certificate/,
    openssl: { lenient: true, strict: false },
  },
  {
    name: "a root whose key is RSA-1024",
    keyAlgorithm: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
    make: selfSigned(GOOD),
    verdict: "refuse",
    message: /rsa-1024.*ca key too small/,
    openssl: { lenient: false, strict: false },
  },
  {
    // EDB's recipe ("Generating SSL files for HA PEM backend hosts", PEM 10.5), word for word but the key size.
    name: "EDB's root (openssl req -x509 with the default config: no keyUsage)",
    keyAlgorithm: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    make: (_pki, key, cert) => {
      openssl([
        "req",
        "-x509",
        "-new",
        "-nodes",
        "-key",
        key,
        "-sha256",
        "-days",
        "3650",
        "-out",
        cert,
        "-subj",
        "/C=US/ST=MA/L=Bedford/O=EDB/CN=PEM CA",
      ]);
    },
    verdict: "warn",
    message: /no keyUsage extension: libpq accepts its certificates, but openssl verify -x509_strict rejects every one/,
    openssl: { lenient: true, strict: false },
  },
  {
    name: "a root whose basicConstraints is not critical",
    make: selfSigned([
      "basicConstraints=CA:TRUE",
      "keyUsage=critical,keyCertSign,cRLSign",
      "subjectKeyIdentifier=hash",
    ]),
    verdict: "warn",
    message: /basicConstraints not marked critical/,
    openssl: { lenient: true, strict: false },
  },
  {
    name: "a name-constrained root (db1 outside)",
    make: selfSigned([...GOOD, "nameConstraints=critical,permitted;DNS:.example.com"]),
    verdict: "warn",
    message: /name-constrained \(permitted DNS:\.example\.com\)/,
    openssl: { lenient: false, strict: false },
  },
  {
    name: "a name-constrained root (db1 inside)",
    make: selfSigned([...GOOD, "nameConstraints=critical,permitted;DNS:db1"]),
    verdict: "warn",
    message: /name-constrained \(permitted DNS:db1\)/,
    openssl: { lenient: true, strict: true },
  },
  {
    name: "a root with an unknown critical extension",
    make: selfSigned([...GOOD, "1.2.3.4=critical,ASN1:NULL"]),
    verdict: "refuse",
    message: /critical extension 1\.2\.3\.4 that OpenSSL does not handle/,
    openssl: { lenient: false, strict: false },
  },
  {
    // Without a purpose OpenSSL passes it; libssl always sets one, and then every leaf fails.
    name: "a root whose extendedKeyUsage is emailProtection",
    make: selfSigned([...GOOD, "extendedKeyUsage=emailProtection"]),
    verdict: "refuse",
    message: /extendedKeyUsage without serverAuth or clientAuth/,
    openssl: { lenient: true, strict: true },
    purposes: { server: false, client: false },
  },
  {
    // OpenSSL 3.0 does not take anyExtendedKeyUsage on a CA for sslserver or sslclient.
    name: "a root whose extendedKeyUsage is anyExtendedKeyUsage",
    make: selfSigned([...GOOD, "extendedKeyUsage=anyExtendedKeyUsage"]),
    verdict: "refuse",
    message: /extendedKeyUsage without serverAuth or clientAuth/,
    openssl: { lenient: true, strict: true },
    purposes: { server: false, client: false },
  },
  {
    name: "a root whose extendedKeyUsage is clientAuth only",
    make: selfSigned([...GOOD, "extendedKeyUsage=clientAuth"]),
    verdict: "warn",
    message:
      /extendedKeyUsage without serverAuth: every server certificate it signs \(cert issue --profile server, and peer\) fails/,
    openssl: { lenient: true, strict: true },
    purposes: { server: false, client: true },
  },
  {
    name: "a root whose extendedKeyUsage is serverAuth only",
    make: selfSigned([...GOOD, "extendedKeyUsage=serverAuth"]),
    verdict: "warn",
    message:
      /extendedKeyUsage without clientAuth: every client certificate it signs \(cert issue --profile client, and peer\) fails/,
    openssl: { lenient: true, strict: true },
    purposes: { server: true, client: false },
  },
  {
    name: "a root whose extendedKeyUsage has serverAuth and clientAuth",
    make: selfSigned([...GOOD, "extendedKeyUsage=serverAuth,clientAuth"]),
    verdict: "accept",
    openssl: { lenient: true, strict: true },
    purposes: { server: true, client: true },
  },
];

describe("ca init and cert issue judge an adopted CA as OpenSSL does", () => {
  let index = 0;
  for (const item of CASES) {
    test(`${item.name}: ${item.verdict}`, async () => {
      const pki = join(dir, `case-${index++}`, "pki");
      await mkdir(join(pki, "ca"), { recursive: true });
      const key = join(pki, "ca", "ca.key");
      const cert = join(pki, "ca", "ca.crt");
      openssl(["genpkey", ...(item.keyAlgorithm ?? P256), "-out", key]);
      await chmod(key, 0o600);
      await item.make(pki, key, cert);
      await rm(`${cert}.csr`, { force: true });
      await rm(`${cert}.ext`, { force: true });

      // OpenSSL's verdict on a leaf under this CA.
      const leaf = join(pki, "..", "leaf.crt");
      openssl([
        "x509",
        "-req",
        "-in",
        leafCsr,
        "-CA",
        cert,
        "-CAkey",
        key,
        "-set_serial",
        "7",
        "-days",
        "30",
        "-extfile",
        leafExt,
        "-out",
        leaf,
      ]);
      assert.deepEqual(
        { lenient: verifies(cert, leaf, false), strict: verifies(cert, leaf, true) },
        item.openssl,
        "openssl verify of a leaf under this CA",
      );
      const clientLeaf = join(pki, "..", "client-leaf.crt");
      if (item.purposes) {
        const sign = [
          "x509",
          "-req",
          "-in",
          leafCsr,
          "-CA",
          cert,
          "-CAkey",
          key,
          "-set_serial",
          "8",
          "-days",
          "30",
          "-extfile",
          clientLeafExt,
        ];
        openssl([...sign, "-out", clientLeaf]);
        const theirs = {
          server: verifies(cert, leaf, false, "sslserver"),
          client: verifies(cert, clientLeaf, false, "sslclient"),
        };
        assert.deepEqual(theirs, item.purposes, "openssl verify -purpose of leaves under this CA");
      }

      const before = await snapshot(pki);
      const init = await pgwarden(["ca", "init", "--pki", pki]);
      const issue = await pgwarden([
        "cert",
        "issue",
        "--pki",
        pki,
        "--profile",
        "server",
        "--cn",
        "db1",
        "--format",
        "json",
      ]);
      if (item.verdict === "refuse") {
        assert.equal(init.code, 7, init.stderr);
        assert.match(init.stderr, item.message ?? /./);
        assert.equal(init.stderr.trim().split("\n").length, 1, init.stderr);
        assert.equal(issue.code, 7, issue.stderr);
        assert.match(issue.stderr, item.message ?? /./);
        assert.deepEqual(await snapshot(pki), before, "a refused CA leaves the PKI as it was");
        return;
      }
      assert.equal(init.code, 0, init.stderr);
      assert.equal(issue.code, 0, issue.stderr);
      if (item.verdict === "warn") {
        assert.match(init.stderr, item.message ?? /./);
        assert.match(issue.stderr, item.message ?? /./);
      } else {
        assert.doesNotMatch(init.stderr, /warning/i);
      }
      // pgwarden's own leaf under the CA gets the verdict OpenSSL gave the openssl-made one.
      const [{ certPath }] = (JSON.parse(issue.stdout) as { issued: [{ certPath: string }] }).issued;
      assert.deepEqual(
        { lenient: verifies(cert, certPath, false), strict: verifies(cert, certPath, true) },
        item.openssl,
        "openssl verify of pgwarden's leaf",
      );
      if (item.purposes) {
        const client = await pgwarden([
          "cert",
          "issue",
          "--pki",
          pki,
          "--profile",
          "client",
          "--cn",
          "app",
          "--format",
          "json",
        ]);
        assert.equal(client.code, 0, client.stderr);
        const clientPath = (JSON.parse(client.stdout) as { issued: [{ certPath: string }] }).issued[0].certPath;
        const ours = {
          server: verifies(cert, certPath, false, "sslserver"),
          client: verifies(cert, clientPath, false, "sslclient"),
        };
        assert.deepEqual(ours, item.purposes, "openssl verify -purpose of pgwarden's leaves");
      }
    });
  }
});

describe("the advice for EDB's root works", () => {
  test("moving ca.crt to ca/old-ca.crt and running ca init gives a root of the same name under which every leaf passes -x509_strict", async () => {
    const pki = join(dir, "edb-fixed", "pki");
    await mkdir(join(pki, "ca"), { recursive: true });
    const key = join(pki, "ca", "ca.key");
    const cert = join(pki, "ca", "ca.crt");
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key]);
    await chmod(key, 0o600);
    openssl([
      "req",
      "-x509",
      "-new",
      "-nodes",
      "-key",
      key,
      "-sha256",
      "-days",
      "3650",
      "-out",
      cert,
      "-subj",
      "/C=US/ST=MA/L=Bedford/O=EDB/CN=PEM CA",
    ]);
    const leaf = join(dir, "edb-fixed", "server.crt");
    openssl([
      "x509",
      "-req",
      "-in",
      leafCsr,
      "-CA",
      cert,
      "-CAkey",
      key,
      "-CAcreateserial",
      "-days",
      "3650",
      "-sha256",
      "-out",
      leaf,
    ]);
    const warned = await pgwarden(["ca", "init", "--pki", pki]);
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /move it to ca\/old-ca\.crt and run pgwarden ca init/);
    assert.equal(verifies(cert, leaf, true), false, "EDB's leaf fails -x509_strict under EDB's root");

    const oldSubject = new X509Certificate(await readFile(cert)).subject;
    await writeFile(join(pki, "ca", "old-ca.crt"), await readFile(cert));
    await unlink(cert);
    const fixed = await pgwarden(["ca", "init", "--pki", pki]);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.doesNotMatch(fixed.stderr, /keyUsage/);
    assert.equal(new X509Certificate(await readFile(cert)).subject, oldSubject);
    assert.ok(verifies(cert, leaf, true), "EDB's leaf passes -x509_strict under the re-signed root");
    const again = await pgwarden(["ca", "init", "--pki", pki]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /warning/);
  });
});

describe("a leaf is never valid before its CA", () => {
  test("under a CA made by openssl a moment ago, cert issue and cert sign raise notBefore to the CA's", async () => {
    const pki = join(dir, "fresh", "pki");
    await mkdir(join(pki, "ca"), { recursive: true });
    const key = join(pki, "ca", "ca.key");
    const cert = join(pki, "ca", "ca.crt");
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
    await chmod(key, 0o600);
    selfSigned(GOOD)(pki, key, cert);
    const caNotBefore = Date.parse(new X509Certificate(await readFile(cert)).validFrom);
    const issued = await pgwarden([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "client",
      "--cn",
      "app",
      "--format",
      "json",
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    const signed = await pgwarden(["cert", "sign", leafCsr, "--pki", pki, "--profile", "server", "--format", "json"]);
    assert.equal(signed.code, 0, signed.stderr);
    for (const result of [issued, signed]) {
      const document = JSON.parse(result.stdout) as { certPath: string } | { issued: [{ certPath: string }] };
      const { certPath } = "issued" in document ? document.issued[0] : document;
      const leafNotBefore = Date.parse(new X509Certificate(await readFile(certPath)).validFrom);
      // Without the clamp it would be back-dated 5 minutes, before the CA's notBefore.
      const iso = (ms: number) => new Date(ms).toISOString();
      assert.ok(
        leafNotBefore >= caNotBefore,
        `leaf notBefore ${iso(leafNotBefore)} precedes the CA's ${iso(caNotBefore)}`,
      );
      assert.ok(verifies(cert, certPath, true));
    }
  });
});

describe("the Pigsty trap: only ca.key is left, and Pigsty's certificates were signed by it", () => {
  let pki: string;
  let caKey: string;
  let caCrt: string;
  let leaves: string[];
  let originalCa: Buffer;

  before(async () => {
    pki = join(dir, "pigsty", "files", "pki");
    for (const sub of ["ca", "misc", "pgsql", "csr"]) await mkdir(join(pki, sub), { recursive: true });
    caKey = join(pki, "ca", "ca.key");
    caCrt = join(pki, "ca", "ca.crt");
    // Pigsty's CA (its "Local CA" documentation): RSA, O=pigsty, OU=ca, CN=pigsty-ca, pathlen 1, SKI; leaves with an AKI.
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", caKey]);
    await chmod(caKey, 0o600);
    openssl([
      "req",
      "-x509",
      "-new",
      "-key",
      caKey,
      "-sha256",
      "-days",
      "36500",
      "-subj",
      "/O=pigsty/OU=ca/CN=pigsty-ca",
      "-config",
      "/dev/null",
      "-addext",
      "subjectAltName=DNS:pigsty-ca",
      "-addext",
      "keyUsage=digitalSignature,keyCertSign,cRLSign",
      "-addext",
      "basicConstraints=critical,CA:TRUE,pathlen:1",
      "-addext",
      "subjectKeyIdentifier=hash",
      "-out",
      caCrt,
    ]);
    originalCa = await readFile(caCrt);
    leaves = [];
    for (const [group, cn, eku] of [
      ["pgsql", "pg-meta-1", "serverAuth,clientAuth"],
      ["misc", "dbuser_dba", "clientAuth"],
    ] as const) {
      const base = join(pki, group, cn);
      const csr = join(pki, "csr", `${cn}.csr`);
      openssl(["req", "-new", ...NEW_P256, "-nodes", "-keyout", `${base}.key`, "-subj", `/CN=${cn}`, "-out", csr]);
      await writeFile(
        `${base}.ext`,
        `extendedKeyUsage=${eku}\nauthorityKeyIdentifier=keyid\nsubjectAltName=DNS:${cn}\n`,
      );
      const ca = ["-CA", caCrt, "-CAkey", caKey, "-CAcreateserial"];
      openssl(["x509", "-req", "-in", csr, ...ca, "-days", "7300", "-extfile", `${base}.ext`, "-out", `${base}.crt`]);
      await rm(`${base}.ext`);
      leaves.push(`${base}.crt`);
    }
    for (const leaf of leaves) assert.ok(verifies(caCrt, leaf, true), "Pigsty's leaves verify under Pigsty's CA");
    await unlink(caCrt);
    await rm(join(pki, "ca", "ca.srl"), { force: true });
  });

  test("ca init --no-create writes no CA certificate: exit 4 and what to do", async () => {
    const before = await snapshot(pki);
    const result = await pgwarden(["ca", "init", "--pki", pki, "--no-create"]);
    assert.equal(result.code, 4, result.stderr);
    assert.match(
      result.stderr,
      /ca\.crt is missing and --no-create was given, so no CA certificate is written: copy the original ca\.crt/,
    );
    assert.deepEqual(await snapshot(pki), before);
  });

  test("ca init --cn pgwarden-ca would orphan them: exit 7 naming the flags that restore the chain", async () => {
    const before = await snapshot(pki);
    const result = await pgwarden(["ca", "init", "--pki", pki, "--cn", "pgwarden-ca"]);
    assert.equal(result.code, 7, result.stderr);
    assert.match(
      result.stderr,
      /2 certificates .* issued by this ca\.key as "O=pigsty, OU=ca, CN=pigsty-ca".*--org "pigsty" --ou "ca" --cn "pigsty-ca"/,
    );
    assert.deepEqual(await snapshot(pki), before);
  });

  test("ca init re-makes ca.crt with their issuer's name byte for byte, and OpenSSL verifies every old leaf against it", async () => {
    const result = await pgwarden(["ca", "init", "--pki", pki, "--format", "json"]);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as {
      action: string;
      restoredFrom?: { issuer: string; certificates: string[] };
    };
    assert.equal(json.action, "reissued");
    const certificates = [join("misc", "dbuser_dba.crt"), join("pgsql", "pg-meta-1.crt")];
    assert.deepEqual(json.restoredFrom, { issuer: "O=pigsty, OU=ca, CN=pigsty-ca", certificates });
    const made = new X509Certificate(await readFile(caCrt));
    assert.ok(made.checkPrivateKey((await import("node:crypto")).createPrivateKey(await readFile(caKey))));
    const oldCa = new X509Certificate(originalCa);
    const issuerDer = rawIssuer(new X509Certificate(await readFile(leaves[0] as string)).raw);
    // The issuer Name sits twice in the new root (issuer and subject), exactly as the leaves carry it.
    assert.ok(made.raw.indexOf(issuerDer) > 0 && made.raw.lastIndexOf(issuerDer) > made.raw.indexOf(issuerDer));
    assert.equal(made.subject, oldCa.subject);
    for (const leaf of leaves) {
      assert.ok(verifies(caCrt, leaf, true), `${leaf} verifies (-x509_strict) against the re-made ca.crt`);
      assert.ok(
        Date.parse(new X509Certificate(await readFile(leaf)).validFrom) >= Date.parse(made.validFrom),
        "no old leaf predates the re-made root",
      );
    }
    // New leaves chain to it too, and to the original ca.crt that nodes still hold in /etc/pki/ca.crt.
    const issued = await pgwarden([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "client",
      "--cn",
      "dbuser_new",
      "--format",
      "json",
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    const [{ certPath }] = (JSON.parse(issued.stdout) as { issued: [{ certPath: string }] }).issued;
    const original = join(dir, "pigsty", "original-ca.crt");
    await writeFile(original, originalCa);
    assert.ok(verifies(caCrt, certPath, true) && verifies(original, certPath, true));
  });
});

describe("cert sign judges a request's key as libpq and OpenSSL do", () => {
  let pki: string;
  let caCrt: string;

  before(async () => {
    pki = join(dir, "sign", "pki");
    const init = await pgwarden(["ca", "init", "--pki", pki]);
    assert.equal(init.code, 0, init.stderr);
    caCrt = join(pki, "ca", "ca.crt");
  });

  interface RequestCase {
    readonly name: string;
    /** `openssl genpkey` arguments for the request's key; absent for the CA's own key. */
    readonly key?: readonly string[];
    /** Flip a byte of the request's signature. */
    readonly forge?: boolean;
    /** Exit code and, for a refusal, the message. */
    readonly code: 0 | 7;
    readonly message?: RegExp;
  }
  const REQUESTS: readonly RequestCase[] = [
    { name: "ec-p256", key: P256, code: 0 },
    { name: "ec-p384", key: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], code: 0 },
    { name: "ec-p521", key: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"], code: 0 },
    { name: "ed25519", key: ["-algorithm", "ED25519"], code: 0 },
    { name: "rsa-2048", key: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], code: 0 },
    {
      name: "rsa-1024",
      key: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
      code: 7,
      message: /rsa-1024.*"ee key too small".*2048 bits or more/,
    },
    {
      name: "secp256k1",
      key: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"],
      code: 7,
      message: /unsupported key type ec-secp256k1: make the request with/,
    },
    {
      name: "ed448",
      key: ["-algorithm", "ED448"],
      code: 7,
      message: /unsupported key type ed448: make the request with/,
    },
    { name: "the CA's own key", code: 7, message: /carries the CA's own public key/ },
    { name: "a forged ec-p256 request", key: P256, forge: true, code: 7, message: /signature does not verify/ },
  ];

  for (const item of REQUESTS) {
    test(`a request with ${item.name}: ${item.code === 0 ? "signed, and OpenSSL verifies it strictly" : "refused"}`, async () => {
      const cn = `app_${item.name.replace(/[^a-z0-9]+/gi, "_")}`;
      const key = item.key ? join(dir, "sign", `${cn}.key`) : join(pki, "ca", "ca.key");
      if (item.key) openssl(["genpkey", ...item.key, "-out", key]);
      let csr = join(dir, "sign", `${cn}.csr`);
      openssl(["req", "-new", "-key", key, "-subj", `/CN=${cn}`, "-config", "/dev/null", "-out", csr]);
      if (item.forge) {
        const der = Buffer.from((await readFile(csr, "utf8")).replace(/-----[^-]+-----|\s/g, ""), "base64");
        // Another subject under the same signature: what an attacker who lacks the key would send.
        der[der.indexOf(Buffer.from(cn))] = "b".charCodeAt(0);
        csr = `${csr}.forged`;
        await writeFile(
          csr,
          `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`,
        );
        assert.match(
          opensslRun(["req", "-verify", "-noout", "-in", csr]).out,
          /verify failure/,
          "OpenSSL also finds the forged request's signature bad",
        );
      }
      const before = await snapshot(pki);
      const result = await pgwarden(["cert", "sign", csr, "--pki", pki, "--profile", "client", "--format", "json"]);
      assert.equal(result.code, item.code, result.stderr);
      if (item.code !== 0) {
        // With --format json the error is one JSON object on stderr's last line.
        const { error } = JSON.parse(result.stderr.trim().split("\n").at(-1) ?? "") as {
          error: { message: string; exitCode: number };
        };
        assert.equal(error.exitCode, item.code);
        assert.match(error.message, item.message ?? /./);
        assert.doesNotMatch(error.message, item.forge ? /unsupported/ : /forged|does not verify/);
        assert.deepEqual(await snapshot(pki), before, "a refused request writes nothing");
        return;
      }
      const { certPath } = JSON.parse(result.stdout) as { certPath: string };
      const verify = opensslRun([
        "verify",
        "-auth_level",
        "2",
        "-x509_strict",
        "-purpose",
        "sslclient",
        "-CAfile",
        caCrt,
        certPath,
      ]);
      assert.equal(verify.status, 0, verify.out);
    });
  }

  test("OpenSSL agrees an RSA-1024 leaf is too small at libpq's level, so the refusal is not pgwarden's whim", async () => {
    const key = join(dir, "sign", "weak.key");
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", key]);
    const csr = join(dir, "sign", "weak.csr");
    openssl(["req", "-new", "-key", key, "-subj", "/CN=weak", "-config", "/dev/null", "-out", csr]);
    const leaf = join(dir, "sign", "weak.crt");
    const ext = join(dir, "sign", "weak.ext");
    await writeFile(ext, "extendedKeyUsage=clientAuth\n");
    openssl([
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      caCrt,
      "-CAkey",
      join(pki, "ca", "ca.key"),
      "-set_serial",
      "5",
      "-days",
      "30",
      "-extfile",
      ext,
      "-out",
      leaf,
    ]);
    const verify = opensslRun(["verify", "-auth_level", "2", "-CAfile", caCrt, leaf]);
    assert.notEqual(verify.status, 0);
    assert.match(verify.out, /EE certificate key too weak/);
  });
});
