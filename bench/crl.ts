/*
 * npm run bench:crl — writes a CRL of 100,000 revoked serials, and in the same run has
 * `openssl ca -gencrl` write one of the same 100,000 entries (an index.txt in openssl ca's
 * format), for comparison. pgwarden's figure is its writer: serials in, a signed PEM CRL
 * written atomically out (the issuer key already loaded); also printed: `pgwarden crl`
 * end to end, with the 100,000 revocations as records on disk (db/revocations/).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { PUBLIC_FILE_MODE, writeFileAtomic } from "../src/core/fs/atomic-write.js";
import { initCa } from "../src/pki/authority/ca-init.js";
import { issuerFiles } from "../src/pki/authority/issuers.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { REVOCATION_REASONS, type RevocationReason } from "../src/pki/records/revocations.js";
import { crlInfoOfPem } from "../src/pki/revocation/crl-info.js";
import { loadCrlSigner } from "../src/pki/revocation/crl-signer.js";
import { signCrl } from "../src/pki/revocation/crl-writer.js";

const ENTRIES = 100_000;
const RUNS = 5;
const TARGET_MS = 1000;
const BIN = fileURLToPath(new URL("../../bin/pgwarden.js", import.meta.url));
const REASONS = Object.keys(REVOCATION_REASONS) as RevocationReason[];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** 128 random bits, first byte non-zero: whole bytes, as openssl ca's index.txt wants them. */
function serialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) % 0xff) + 1;
  return bytes.toString("hex");
}

/** openssl ca's time format: YYMMDDHHMMSSZ. */
function opensslTime(date: Date): string {
  return `${date.toISOString().slice(2, 19).replace(/[-T:]/g, "")}Z`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-bench-crl-"));
  try {
    const layout = pkiLayout(join(dir, "pki"));
    await initCa(layout);
    const now = new Date();
    const revocations = Array.from({ length: ENTRIES }, (_, index) => ({
      serial: serialHex(),
      revokedAt: new Date(now.getTime() - (index % 86_400) * 1000),
      reason: REASONS[index % REASONS.length] as RevocationReason,
    }));
    const entries = revocations.map((revocation) => ({
      serial: revocation.serial,
      revokedAt: revocation.revokedAt,
      reasonCode: REVOCATION_REASONS[revocation.reason],
    }));

    // pgwarden's writer: the issuer loaded once, then serials -> signed CRL -> file, atomically.
    const signer = await loadCrlSigner(issuerFiles(layout, "ca"));
    const out = join(dir, "ca.crl");
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const { pem } = signCrl(signer, entries, { number: run + 1, now, days: 7 });
      await writeFileAtomic(out, pem, { mode: PUBLIC_FILE_MODE });
      times.push(performance.now() - started);
    }
    const written = await readFile(out, "utf8");
    const info = crlInfoOfPem(written);
    if (info?.entries !== ENTRIES) throw new Error(`the CRL holds ${info?.entries} entries, not ${ENTRIES}`);
    execFileSync("openssl", ["crl", "-in", out, "-noout", "-verify", "-CAfile", layout.caCert], { stdio: "pipe" });

    // openssl ca -gencrl on the same entries.
    const ossl = join(dir, "openssl-ca");
    await mkdir(ossl);
    const expiry = opensslTime(new Date(now.getTime() + 365 * 86_400_000));
    await writeFile(
      join(ossl, "index.txt"),
      revocations
        .map((revocation) => {
          const reason = revocation.reason === "unspecified" ? "" : `,${revocation.reason}`;
          return `R\t${expiry}\t${opensslTime(revocation.revokedAt)}${reason}\t${revocation.serial.toUpperCase()}\tunknown\t/CN=user\n`;
        })
        .join(""),
    );
    await writeFile(join(ossl, "crlnumber"), "01\n");
    await writeFile(
      join(ossl, "openssl.cnf"),
      `[ca]\ndefault_ca = d\n[d]\ndatabase = ${ossl}/index.txt\ncrlnumber = ${ossl}/crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\n`,
    );
    const opensslTimes: number[] = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      execFileSync(
        "openssl",
        [
          "ca",
          "-config",
          join(ossl, "openssl.cnf"),
          "-gencrl",
          "-keyfile",
          layout.caKey,
          "-cert",
          layout.caCert,
          "-out",
          join(ossl, "crl.pem"),
        ],
        { stdio: "pipe" },
      );
      opensslTimes.push(performance.now() - started);
    }
    const opensslInfo = crlInfoOfPem(await readFile(join(ossl, "crl.pem"), "utf8"));
    if (opensslInfo?.entries !== ENTRIES) throw new Error(`openssl's CRL holds ${opensslInfo?.entries} entries`);

    // End to end: the same revocations as records in db/revocations/ (written here without fsync: setup, not measured).
    await mkdir(layout.revocationsDir, { recursive: true });
    for (let start = 0; start < ENTRIES; start += 1000)
      await Promise.all(
        revocations
          .slice(start, start + 1000)
          .map((revocation, offset) =>
            writeFile(
              join(layout.revocationsDir, `${revocation.serial}-${start + offset}.json`),
              `${JSON.stringify({ version: 1, serial: revocation.serial, issuerName: "ca", revokedAt: revocation.revokedAt.toISOString(), reason: revocation.reason })}\n`,
            ),
          ),
      );
    const cliTimes: number[] = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      execFileSync(process.execPath, [BIN, "--pki", layout.root, "crl", "--quiet"], { stdio: "pipe" });
      cliTimes.push(performance.now() - started);
    }

    const figure = median(times);
    console.log(
      `machine: ${cpus()[0]?.model ?? "unknown"}, ${cpus().length} cores, node ${process.version}, load ${loadavg()[0]?.toFixed(1)}`,
    );
    console.log(`date: ${now.toISOString().slice(0, 10)}`);
    console.log(
      `pgwarden CRL writer, ${ENTRIES.toLocaleString("en")} entries (${(written.length / 1e6).toFixed(1)} MB PEM): median ${figure.toFixed(0)} ms ` +
        `(runs ${times.map((time) => time.toFixed(0)).join(" / ")} ms)`,
    );
    console.log(
      `openssl ca -gencrl, same entries: median ${median(opensslTimes).toFixed(0)} ms (runs ${opensslTimes.map((t) => t.toFixed(0)).join(" / ")} ms)`,
    );
    console.log(
      `pgwarden crl end to end (CLI, 100,000 revocation records read from db/revocations/): median ${median(cliTimes).toFixed(0)} ms (runs ${cliTimes.map((t) => t.toFixed(0)).join(" / ")} ms)`,
    );
    console.log(`target: writer < ${TARGET_MS} ms: ${figure < TARGET_MS ? "met" : "NOT met"}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
