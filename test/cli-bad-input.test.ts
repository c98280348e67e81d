import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, snapshot, tempDir } from "./support/cli.js";

/*
 * Every bad input gets one clear line on stderr, the documented exit code, no stack
 * trace, and leaves the PKI directory exactly as it was.
 */
describe("bad input: one line, the right exit code, nothing written", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let encryptedPki: string;
  let passFile: string;
  let wrongPassFile: string;
  const csr: Record<string, string> = {};

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    pki = join(dir, "pki");
    encryptedPki = join(dir, "encrypted");
    passFile = join(dir, "pass");
    wrongPassFile = join(dir, "wrong");
    await writeFile(passFile, "the right passphrase\n", { mode: 0o600 });
    await writeFile(wrongPassFile, "not it\n", { mode: 0o600 });
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    assert.equal((await pgwarden(["ca", "init", "--pki", encryptedPki, "--passphrase-file", passFile])).code, 0);

    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    openssl(
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "good.key",
      "-subj",
      "/CN=app_user",
      "-out",
      "good.csr",
    );
    openssl(
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "ca.key",
      "-subj",
      "/CN=sneaky",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-out",
      "ca-request.csr",
    );
    const good = execFileSync("cat", [join(dir, "good.csr")]).toString();
    const body = good.split("\n").filter((line) => line && !line.startsWith("-----"));
    await writeFile(join(dir, "truncated.csr"), `${good.split("\n").slice(0, 4).join("\n")}\n`);
    await writeFile(join(dir, "not-pem.csr"), "this is not a certificate request\n");
    // Flip one bit in the signature (the last bytes of the DER) so only the signature check can catch it.
    const der = Buffer.from(body.join(""), "base64");
    der[der.length - 3] = (der[der.length - 3] ?? 0) ^ 0x01;
    await writeFile(
      join(dir, "bad-signature.csr"),
      `-----BEGIN CERTIFICATE REQUEST-----\n${der
        .toString("base64")
        .match(/.{1,64}/g)
        ?.join("\n")}\n-----END CERTIFICATE REQUEST-----\n`,
    );
    for (const name of ["good", "ca-request", "truncated", "not-pem", "bad-signature"])
      csr[name] = join(dir, `${name}.csr`);
    await writeFile(join(dir, "nul-cns.txt"), "alice\nbo\0b\n");
    await writeFile(join(dir, "bad-line.txt"), "alice\nbob\n../etc\n");
  });
  after(() => cleanup());

  const cases: { name: string; args: () => string[]; code: number; message: RegExp; target?: () => string }[] = [
    {
      name: "CN with a newline",
      args: () => ["cert", "issue", "--profile", "client", "--cn", "bad\nname"],
      code: 2,
      message: /newline/,
    },
    {
      name: "CN with a NUL byte (from --cn-file)",
      args: () => ["cert", "issue", "--profile", "client", "--cn-file", join(dir, "nul-cns.txt")],
      code: 2,
      message: /nul-cns\.txt:2: .*NUL/,
    },
    {
      name: "CN with a quote",
      args: () => ["cert", "issue", "--profile", "client", "--cn", "bob'; drop role x; --"],
      code: 2,
      message: /quote/,
    },
    {
      name: "CN with a slash",
      args: () => ["cert", "issue", "--profile", "server", "--cn", "../../etc/passwd", "--san", "localhost"],
      code: 2,
      message: /slash/,
    },
    {
      name: "CN with ..",
      args: () => ["cert", "issue", "--profile", "server", "--cn", "a..b", "--san", "localhost"],
      code: 2,
      message: /"\.\."/,
    },
    {
      name: "a .. line in a CN file",
      args: () => ["cert", "issue", "--profile", "client", "--cn-file", join(dir, "bad-line.txt")],
      code: 2,
      message: /bad-line\.txt:3: .*\.\./,
    },
    {
      name: "a DNS name that is not one",
      args: () => ["cert", "issue", "--profile", "server", "--cn", "pg1", "--san", "bad_host.example.com"],
      code: 2,
      message: /not a DNS name/,
    },
    {
      name: "SAN with a newline",
      args: () => ["cert", "issue", "--profile", "server", "--cn", "pg1", "--san", "db.example.com\nevil.com"],
      code: 2,
      message: /newline/,
    },
    {
      name: "IP 999.1.1.1",
      args: () => ["cert", "issue", "--profile", "server", "--cn", "pg1", "--san", "999.1.1.1"],
      code: 2,
      message: /not a valid IPv4 address/,
    },
    {
      name: "a wildcard SAN without --allow-wildcard",
      args: () => ["cert", "issue", "--profile", "server", "--cn", "pg1", "--san", "*.example.com"],
      code: 2,
      message: /--allow-wildcard/,
    },
    {
      name: "an empty CN",
      args: () => ["cert", "issue", "--profile", "client", "--cn", ""],
      code: 2,
      message: /empty/,
    },
    {
      name: "an over-long CN",
      args: () => ["cert", "issue", "--profile", "server", "--cn", "a".repeat(65), "--san", "localhost"],
      code: 2,
      message: /at most 64/,
    },
    {
      name: "--days 0",
      args: () => ["cert", "issue", "--profile", "client", "--cn", "u1", "--days", "0"],
      code: 2,
      message: /--days/,
    },
    {
      name: "--days negative",
      args: () => ["cert", "issue", "--profile", "client", "--cn", "u1", "--days=-30"],
      code: 2,
      message: /--days/,
    },
    {
      name: "an unknown key type",
      args: () => ["cert", "issue", "--profile", "client", "--cn", "u1", "--key-type", "dsa-1024"],
      code: 2,
      message: /unknown key type "dsa-1024"/,
    },
    {
      name: "an unknown profile",
      args: () => ["cert", "issue", "--profile", "superuser", "--cn", "u1"],
      code: 2,
      message: /unknown profile "superuser"/,
    },
    {
      name: "a truncated CSR",
      args: () => ["cert", "sign", csr.truncated as string, "--profile", "client"],
      code: 2,
      message: /no complete PEM block.*truncated/,
    },
    {
      name: "a CSR that is not PEM",
      args: () => ["cert", "sign", csr["not-pem"] as string, "--profile", "client"],
      code: 2,
      message: /no complete PEM block/,
    },
    {
      name: "a CSR whose signature does not verify",
      args: () => ["cert", "sign", csr["bad-signature"] as string, "--profile", "client"],
      code: 7,
      message: /signature does not verify/,
    },
    {
      name: "a CSR asking for a CA certificate",
      args: () => ["cert", "sign", csr["ca-request"] as string, "--profile", "client"],
      code: 2,
      message: /asks for a CA certificate/,
    },
    {
      name: "a missing CSR file",
      args: () => ["cert", "sign", join(dir, "nope.csr"), "--profile", "client"],
      code: 4,
      message: /does not exist/,
    },
    {
      name: "a missing CA",
      args: () => ["cert", "issue", "--pki", join(dir, "no-such-pki"), "--profile", "client", "--cn", "u1"],
      code: 4,
      message: /no CA in .*ca init/,
      target: () => dir,
    },
    {
      name: "a wrong passphrase",
      args: () => [
        "cert",
        "issue",
        "--pki",
        encryptedPki,
        "--passphrase-file",
        wrongPassFile,
        "--profile",
        "client",
        "--cn",
        "u1",
      ],
      code: 7,
      message: /wrong passphrase/,
      target: () => encryptedPki,
    },
    {
      name: "no passphrase for an encrypted CA",
      args: () => ["cert", "issue", "--pki", encryptedPki, "--profile", "client", "--cn", "u1"],
      code: 7,
      message: /encrypted.*--passphrase-file/,
      target: () => encryptedPki,
    },
    {
      name: "an unknown option",
      args: () => ["cert", "issue", "--profile", "client", "--cn", "u1", "--colour"],
      code: 2,
      message: /unknown option '--colour'/,
    },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const target = c.target?.() ?? pki;
      const beforeRun = await snapshot(target);
      const args = c.args();
      const result = await pgwarden(args.includes("--pki") ? args : [...args, "--pki", pki]);
      assert.equal(result.code, c.code, `exit code; stderr: ${result.stderr}`);
      assert.equal(result.stdout, "");
      const lines = result.stderr
        .trimEnd()
        .split("\n")
        .filter((line) => !line.startsWith("(run with --help"));
      assert.equal(lines.length, 1, `one line on stderr, got: ${result.stderr}`);
      assert.match(lines[0] as string, /^pgwarden: error: /);
      assert.match(lines[0] as string, c.message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
      assert.deepEqual(await snapshot(target), beforeRun, "nothing new on disk");
    });
  }

  test("a corrupt ca.key is a PKI error (exit 7) and nothing is written", async () => {
    const corrupt = join(dir, "corrupt");
    assert.equal((await pgwarden(["ca", "init", "--pki", corrupt])).code, 0);
    await writeFile(
      join(corrupt, "ca", "ca.key"),
      "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----\n",
      { mode: 0o600 },
    );
    const beforeRun = await snapshot(corrupt);
    const result = await pgwarden(["cert", "issue", "--pki", corrupt, "--profile", "client", "--cn", "u1"]);
    assert.equal(result.code, 7);
    assert.match(result.stderr, /^pgwarden: error: CA key .* is not a readable private key/);
    assert.equal(result.stderr.trimEnd().split("\n").length, 1);
    assert.deepEqual(await snapshot(corrupt), beforeRun);
  });

  test("a file name with an escape sequence and a right-to-left override is echoed escaped, not obeyed", async () => {
    const name = join(dir, "report\u202Egpj.pem\x1b[2J\x7f");
    const result = await pgwarden(["cert", "inspect", name, "--pki", pki]);
    assert.equal(result.code, 4);
    assert.equal(
      result.stderr,
      `pgwarden: error: certificate file ${join(dir, "report")}\\u{202E}gpj.pem\\x1b[2J\\x7f does not exist\n`,
    );
  });

  test("a certificate subject with a right-to-left override is escaped in text output, and JSON output keeps the value", async () => {
    const cert = join(dir, "bidi.crt");
    const cn = "admin\u202Egnp.exe日本";
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(dir, "bidi.key"),
        "-utf8",
        "-subj",
        `/CN=${cn}`,
        "-days",
        "1",
        "-out",
        cert,
      ],
      { stdio: "pipe" },
    );
    const text = await pgwarden(["cert", "inspect", cert, "--pki", pki]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /CN=admin\\u\{202E\}gnp\.exe日本/);
    assert.doesNotMatch(text.stdout, /\u202e/);
    const json = await pgwarden(["--format", "json", "cert", "inspect", cert, "--pki", pki]);
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stdout, /\u202e/);
    assert.equal(
      (JSON.parse(json.stdout) as { certificates: [{ commonName: string }] }).certificates[0].commonName,
      cn,
    );
  });

  test("a passphrase file that is not UTF-8 is refused (exit 2) by ca init, and creates nothing", async () => {
    const feff = join(dir, "fe-ff.pass");
    await writeFile(feff, Buffer.from([0xfe, 0xff, 0x0a]), { mode: 0o600 });
    const fresh = join(dir, "fresh-pki");
    const result = await pgwarden(["ca", "init", "--pki", fresh, "--passphrase-file", feff]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^pgwarden: error: passphrase file .*fe-ff\.pass is not valid UTF-8: write the passphrase as UTF-8 text/,
    );
    assert.deepEqual(
      await snapshot(dir).then((files) => [...files.keys()].filter((path) => path.startsWith("fresh-pki"))),
      [],
    );
  });

  test("a CA encrypted with the bytes \\xfe\\xff is not unlocked with \\xff\\xfe (refused, exit 2, nothing written)", async () => {
    const bytesPki = join(dir, "bytes-pki");
    await mkdir(join(bytesPki, "ca"), { recursive: true, mode: 0o700 });
    const feff = join(dir, "key.fe-ff");
    const fffe = join(dir, "key.ff-fe");
    await writeFile(feff, Buffer.from([0xfe, 0xff, 0x0a]), { mode: 0o600 });
    await writeFile(fffe, Buffer.from([0xff, 0xfe, 0x0a]), { mode: 0o600 });
    const key = join(bytesPki, "ca", "ca.key");
    execFileSync(
      "openssl",
      [
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-aes-256-cbc",
        "-pass",
        `file:${feff}`,
        "-out",
        key,
      ],
      { stdio: "pipe" },
    );
    await chmod(key, 0o600);
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-new",
        "-key",
        key,
        "-passin",
        `file:${feff}`,
        "-subj",
        "/CN=bytes-ca",
        "-days",
        "30",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        join(bytesPki, "ca", "ca.crt"),
      ],
      { stdio: "pipe" },
    );
    const beforeRun = await snapshot(bytesPki);
    for (const pass of [fffe, feff]) {
      const result = await pgwarden([
        "cert",
        "issue",
        "--pki",
        bytesPki,
        "--passphrase-file",
        pass,
        "--profile",
        "client",
        "--cn",
        "u1",
      ]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /is not valid UTF-8: .*openssl pkcs8 -topk8/);
    }
    assert.deepEqual(await snapshot(bytesPki), beforeRun);
  });

  test("PGWARDEN_DEBUG=1 adds the stack trace", async () => {
    const result = await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "bad/name"], {
      env: { PGWARDEN_DEBUG: "1" },
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\n\s+at /);
  });
});
