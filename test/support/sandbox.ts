import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { pgwarden } from "./cli.js";
import { runClient } from "./pg-cluster.js";

/** A `pgwarden sandbox` started through the real CLI, with what tests need around it. */
export interface TestSandbox {
  readonly dir: string;
  readonly port: number;
  readonly pgdata: string;
  /** Runs SQL as the sandbox's superuser over TLS with its client certificate (psql, SQL on stdin). */
  sql(sql: string): Promise<string>;
  /** The server log. */
  log(): Promise<string>;
  /** `pgwarden pg tls --reload` into the sandbox's PGDATA with a server certificate for these names. */
  serveCertificateFor(cn: string, sans: readonly string[]): Promise<void>;
  /** Back to the sandbox's own server certificate (`sandbox up` puts it back and reloads). */
  restore(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a sandbox for the PKI `pki` in a fresh directory straight under the temp dir (the postgres account must enter it). */
export async function startSandbox(pki: string): Promise<TestSandbox> {
  const dir = join(tmpdir(), `pgwarden-test-sandbox-${randomBytes(4).toString("hex")}`);
  const up = async () => {
    const result = await pgwarden(["sandbox", "up", "--pki", pki, "--dir", dir, "--format", "json"]);
    assert.equal(result.code, 0, `sandbox up: ${result.stderr}`);
    return JSON.parse(result.stdout) as { state: { port: number; pgdata: string; superuser: string; logFile: string } };
  };
  const { state } = await up();
  // During a CA rotation ca/roots.crt (new root and old), so the superuser gets in at every step of it.
  const rootCert = () => (existsSync(join(pki, "ca", "roots.crt")) ? `${pki}/ca/roots.crt` : `${pki}/ca/ca.crt`);
  const admin = () =>
    `host=localhost port=${state.port} dbname=postgres user=${state.superuser} sslmode=verify-full sslrootcert=${rootCert()} sslcert=${pki}/sandbox/${state.superuser}.crt sslkey=${pki}/sandbox/${state.superuser}.key`;
  return {
    dir,
    port: state.port,
    pgdata: state.pgdata,
    async sql(sql) {
      const result = await runClient("psql", ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", admin()], {
        input: sql,
      });
      assert.equal(result.code, 0, `psql as ${state.superuser}: ${result.stderr}`);
      return result.stdout.trim();
    },
    log: () => readFile(state.logFile, "utf8"),
    async serveCertificateFor(cn, sans) {
      // pg tls keeps every name of the server.crt it replaces: moved away first, so that the new one names only `sans`.
      await rename(
        join(state.pgdata, "server.crt"),
        join(state.pgdata, `server.crt.moved-${randomBytes(4).toString("hex")}`),
      );
      const result = await pgwarden([
        "pg",
        "tls",
        "--pki",
        pki,
        "--pgdata",
        state.pgdata,
        "--cn",
        cn,
        ...sans.flatMap((san) => ["--san", san]),
        "--reload",
      ]);
      assert.equal(result.code, 0, `pg tls: ${result.stderr}${result.stdout}`);
    },
    async restore() {
      await up();
    },
    async stop() {
      await pgwarden(["sandbox", "down", "--dir", dir, "--purge"]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
