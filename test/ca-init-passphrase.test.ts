import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { pgwarden, PGWARDEN_BIN, snapshot, tempDir } from "./support/cli.js";

const WARNING = new RegExp(
  "^pgwarden: warning: the CA key (\\S+) is not encrypted: anyone who can read it can sign certificates\\. " +
    "To encrypt it with the passphrase written in ~/\\.pgwarden-ca-pass \\(mode 0600\\): (.+); " +
    "then give pgwarden --passphrase-file ~/\\.pgwarden-ca-pass \\(ca init --no-passphrase makes an unencrypted key without this warning\\)$",
  "m",
);

const isEncrypted = async (key: string) =>
  (await readFile(key, "utf8")).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n");

/** `openssl pkey` reads the key with this passphrase (or, with none, unencrypted). */
function opensslReads(key: string, passphrase?: string): boolean {
  return (
    spawnSync("openssl", ["pkey", "-in", key, "-noout", "-passin", `pass:${passphrase ?? ""}`], { stdio: "ignore" })
      .status === 0
  );
}

test("ca init without a passphrase and no terminal warns on stderr (one line) with an openssl command that encrypts the key in place, which pgwarden then reads", async () => {
  const work = await tempDir("pgwarden-ca-passphrase-");
  try {
    const pki = join(work.dir, "pki");
    const key = join(pki, "ca", "ca.key");
    const init = await pgwarden(["ca", "init", "--pki", pki]);
    assert.equal(init.code, 0, init.stderr);
    assert.equal(
      init.stderr.split("\n").filter((line) => line.startsWith("pgwarden: warning:")).length,
      1,
      init.stderr,
    );
    const [, named, command] = WARNING.exec(init.stderr) ?? [];
    assert.equal(named, key, init.stderr);
    assert.ok(!(await isEncrypted(key)) && opensslReads(key));

    // As a person would: the passphrase in ~/.pgwarden-ca-pass (0600), then the printed command, pasted.
    const home = join(work.dir, "home");
    const passphrase = "correct horse battery staple";
    const writePassphrase = `mkdir -p ~ && (umask 077 && printf '%s\\n' ${JSON.stringify(passphrase)} > ~/.pgwarden-ca-pass)`;
    const pasted = spawnSync("bash", ["-e", "-c", `${writePassphrase}\n${command}`], {
      encoding: "utf8",
      env: { ...process.env, HOME: home },
    });
    assert.equal(pasted.status, 0, `${command}\n${pasted.stderr}`);
    assert.ok(await isEncrypted(key), "PKCS#8, encrypted");
    assert.equal((await stat(key)).mode & 0o777, 0o600, "still 0600");
    assert.ok(opensslReads(key, passphrase) && !opensslReads(key, "wrong"));

    const passFile = join(home, ".pgwarden-ca-pass");
    const adopt = await pgwarden(["ca", "init", "--pki", pki, "--passphrase-file", passFile]);
    assert.equal(adopt.code, 0, adopt.stderr);
    assert.equal(
      adopt.stderr,
      `pgwarden: adopted the existing CA in ${join(pki, "ca")} (key encrypted)\n`,
      "no warning for an encrypted key",
    );
    const issued = await pgwarden([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "server",
      "--cn",
      "db1",
      "--passphrase-file",
      passFile,
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    const verify = spawnSync(
      "openssl",
      ["verify", "-x509_strict", "-CAfile", join(pki, "ca", "ca.crt"), join(pki, "server", "db1.crt")],
      { encoding: "utf8" },
    );
    assert.equal(verify.status, 0, verify.stderr);
    const without = await pgwarden(["cert", "issue", "--pki", pki, "--profile", "server", "--cn", "db2"]);
    assert.equal(without.code, 7, "the encrypted key needs its passphrase");
  } finally {
    await work.cleanup();
  }
});

test("ca init --no-passphrase writes the key unencrypted without a warning; with a passphrase given too it is refused (exit 2, nothing written)", async () => {
  const work = await tempDir("pgwarden-ca-passphrase-");
  try {
    const pki = join(work.dir, "pki");
    const init = await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase"]);
    assert.equal(init.code, 0, init.stderr);
    assert.equal(init.stderr, `pgwarden: created a new CA in ${join(pki, "ca")}\n`);
    assert.ok(opensslReads(join(pki, "ca", "ca.key")));

    const passFile = join(work.dir, "pass");
    await writeFile(passFile, "secret\n", { mode: 0o600 });
    const other = join(work.dir, "other");
    const before = await snapshot(work.dir);
    for (const [args, env] of [
      [["--passphrase-file", passFile], {}],
      [[], { PGWARDEN_CA_PASSPHRASE: "secret" }],
    ] as const) {
      const refused = await pgwarden(["ca", "init", "--pki", other, "--no-passphrase", ...args], { env });
      assert.equal(refused.code, 2);
      assert.equal(
        refused.stderr,
        "pgwarden: error: --no-passphrase and a passphrase (--passphrase-file or PGWARDEN_CA_PASSPHRASE) were both given: keep one\n",
      );
    }
    assert.deepEqual(await snapshot(work.dir), before, "nothing written");
    assert.match(
      (await pgwarden(["ca", "init", "--help"])).stdout,
      /--no-passphrase[\s\S]*\$ pgwarden ca init --pki \/tmp\/throwaway-pki --no-passphrase/,
    );
  } finally {
    await work.cleanup();
  }
});

/**
 * Runs pgwarden on a terminal (util-linux `script` gives it one), typing each answer once its
 * prompt shows: what a person at a terminal sees, and the exit code.
 */
function onTerminal(
  args: readonly string[],
  answers: readonly string[],
): Promise<{ code: number | null; screen: string }> {
  const line = [process.execPath, PGWARDEN_BIN, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(" ");
  const child = spawn("script", ["-qec", line, "/dev/null"], {
    env: { ...process.env, PGWARDEN_CA_PASSPHRASE: undefined },
  });
  let screen = "";
  let answered = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    screen += chunk.toString("utf8");
    const prompts =
      screen.match(/Passphrase to encrypt the new CA key \(empty for none\): |The same passphrase again: /g)?.length ??
      0;
    while (answered < prompts && answered < answers.length) child.stdin.write(`${answers[answered++]}\r`);
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, screen })));
}

test("ca init on a terminal asks for the passphrase twice without echo; empty means none (with the warning); two different ones or Ctrl-C write nothing", async () => {
  const work = await tempDir("pgwarden-ca-passphrase-");
  try {
    const passphrase = "tty pass ünïcode";
    const pki = join(work.dir, "asked");
    const asked = await onTerminal(["ca", "init", "--pki", pki], [passphrase, passphrase]);
    assert.equal(asked.code, 0, asked.screen);
    assert.match(
      asked.screen,
      /^Passphrase to encrypt the new CA key \(empty for none\): \r\nThe same passphrase again: \r\npgwarden: created a new CA in .* \(key encrypted\)/,
    );
    assert.ok(!asked.screen.includes("tty pass"), "the passphrase is never echoed");
    assert.ok(await isEncrypted(join(pki, "ca", "ca.key")));
    assert.ok(opensslReads(join(pki, "ca", "ca.key"), passphrase));

    const none = join(work.dir, "none");
    const empty = await onTerminal(["ca", "init", "--pki", none], [""]);
    assert.equal(empty.code, 0, empty.screen);
    assert.equal(empty.screen.match(/Passphrase to encrypt/g)?.length, 1, "asked once: empty is an answer");
    assert.match(empty.screen, /pgwarden: warning: the CA key \S+ is not encrypted/);
    assert.ok(opensslReads(join(none, "ca", "ca.key")));

    const mismatch = join(work.dir, "mismatch");
    const differ = await onTerminal(["ca", "init", "--pki", mismatch], ["one passphrase", "another one"]);
    assert.equal(differ.code, 2, differ.screen);
    assert.match(
      differ.screen,
      /pgwarden: error: the two passphrases differ: nothing was written; run the command again\r\n$/,
    );
    assert.equal(await stat(mismatch).catch(() => undefined), undefined, "no PKI made");

    const interrupted = join(work.dir, "interrupted");
    const ctrlC = await onTerminal(["ca", "init", "--pki", interrupted], ["half\u0003"]);
    assert.equal(ctrlC.code, 130, ctrlC.screen);
    assert.equal(await stat(interrupted).catch(() => undefined), undefined, "Ctrl-C: no PKI made");

    const quiet = join(work.dir, "quiet");
    const flagged = await onTerminal(["ca", "init", "--pki", quiet, "--no-passphrase"], []);
    assert.equal(flagged.code, 0, flagged.screen);
    assert.ok(!flagged.screen.includes("Passphrase") && !flagged.screen.includes("warning"), flagged.screen);
  } finally {
    await work.cleanup();
  }
});
