/*
 * npm run bench:audit — the live audit against real servers, and pgdsat on the same server in the same run.
 * (1) one `pgwarden sandbox`: `pgwarden audit --conn ... --format json` through the real CLI (Node's start-up
 *     included), logging in over TCP with TLS (verify-full, the sandbox's client certificate), median of several runs;
 * (2) pgdsat (HexaCluster's CIS-based audit, Perl), built from its mirrored source in a temp dir outside the
 *     project (PGDSAT_DIR, PGDSAT_MIRROR or the mirror beside the repository), run on the same server with the
 *     same login and its PGDATA (-D, as it runs on the database host), --no-pg-version-check (no Internet), text
 *     report; median of three runs;
 * (3) ten sandboxes audited concurrently by one `pgwarden audit --conn ... x10`, median of three runs.
 * Targets (issue 15): (1) under 2 s and under pgdsat's time; (3) under 10 s on 2 cores.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SANDBOXES = 10;
const SINGLE_RUNS = 7;
const PGDSAT_RUNS = 3;
const FLEET_RUNS = 3;
const TARGET_SINGLE_SECONDS = 2;
const TARGET_FLEET_SECONDS = 10;
/** Sandboxes started at once: each runs initdb, which takes a core. */
const START_CONCURRENCY = 2;
/**
 * pgdsat's source: an unpacked tree (PGDSAT_DIR), a bare git mirror (PGDSAT_MIRROR), else the mirror kept beside the
 * repository's directory (../.mirror/HexaCluster+pgdsat/repo), as on the machines these figures come from.
 */
const PGDSAT_MIRROR =
  process.env.PGDSAT_MIRROR ?? fileURLToPath(new URL("../../../.mirror/HexaCluster+pgdsat/repo", import.meta.url));

const BIN = fileURLToPath(new URL("../../bin/pgwarden.js", import.meta.url));

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const seconds = (value: number) => `${value.toFixed(2)} s`;

interface Sandbox {
  readonly dir: string;
  readonly port: number;
  readonly pgdata: string;
  readonly superuser: string;
}

/** Runs pgwarden, resolving with its exit code and output (spawn, so that several run at once). */
function pgwarden(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function sandboxUp(pki: string, dir: string): Promise<Sandbox> {
  const result = await pgwarden(["sandbox", "up", "--pki", pki, "--dir", dir, "--format", "json"]);
  if (result.code !== 0) throw new Error(`sandbox up ${dir}: ${result.stderr}`);
  const { state } = JSON.parse(result.stdout) as { state: Sandbox };
  return state;
}

/** The sandbox's superuser over TCP with TLS, verify-full, by its client certificate: no password anywhere. */
function connOf(pki: string, sandbox: Sandbox): string {
  const user = sandbox.superuser;
  return `host=localhost port=${sandbox.port} dbname=postgres user=${user} sslmode=verify-full sslrootcert=${pki}/ca/ca.crt sslcert=${pki}/sandbox/${user}.crt sslkey=${pki}/sandbox/${user}.key`;
}

/** One `pgwarden audit` through the CLI: wall time, and the report's reachable targets. */
function auditOnce(conns: readonly string[]): { seconds: number; reachable: number; findings: number; checks: number } {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [BIN, "audit", ...conns.flatMap((conn) => ["--conn", conn]), "--format", "json"],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const elapsed = (performance.now() - started) / 1000;
  if (result.status !== 0 && result.status !== 1) throw new Error(`audit exited ${result.status}: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as {
    targets: { reachable: boolean }[];
    findings: unknown[];
    checks: unknown[];
  };
  return {
    seconds: elapsed,
    reachable: report.targets.filter((target) => target.reachable).length,
    findings: report.findings.length,
    checks: report.checks.length,
  };
}

/** pgdsat's source, unpacked into `dir` from the mirror (or PGDSAT_DIR as it is); undefined when there is none. */
async function pgdsatTree(dir: string): Promise<string | undefined> {
  if (process.env.PGDSAT_DIR) return process.env.PGDSAT_DIR;
  if (!existsSync(PGDSAT_MIRROR)) return undefined;
  const tree = join(dir, "pgdsat");
  await mkdir(tree);
  const archive = execFileSync("git", ["-C", PGDSAT_MIRROR, "archive", "HEAD"], { maxBuffer: 64 * 1024 * 1024 });
  execFileSync("tar", ["-x", "-C", tree], { input: archive });
  return tree;
}

/** One pgdsat run on the sandbox: the same login (libpq's PGSSL* variables for its psql), its PGDATA, a text report. */
function pgdsatOnce(tree: string, pki: string, sandbox: Sandbox, out: string): number {
  const started = performance.now();
  const result = spawnSync(
    "perl",
    [
      "-I",
      join(tree, "lib"),
      join(tree, "pgdsat"),
      ...["-U", sandbox.superuser, "-h", "localhost", "-p", String(sandbox.port), "-d", "postgres"],
      ...["-D", sandbox.pgdata, "--no-pg-version-check", "-f", "text", "-o", out],
    ],
    {
      cwd: tree,
      encoding: "utf8",
      env: {
        ...process.env,
        PGSSLMODE: "verify-full",
        PGSSLROOTCERT: `${pki}/ca/ca.crt`,
        PGSSLCERT: `${pki}/sandbox/${sandbox.superuser}.crt`,
        PGSSLKEY: `${pki}/sandbox/${sandbox.superuser}.key`,
      },
    },
  );
  const elapsed = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`pgdsat exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `machine: ${cpu}, ${availableParallelism()} cores, Node ${process.version}, load ${loadavg()[0]?.toFixed(1)}`,
  );
  const root = await mkdtemp(join(tmpdir(), "pgwarden-bench-audit-"));
  // The postgres OS account must enter the sandboxes' directories.
  await chmod(root, 0o755);
  const pki = join(root, "pki");
  const sandboxes: Sandbox[] = [];
  try {
    let started = performance.now();
    sandboxes.push(await sandboxUp(pki, join(root, "s1")));
    const rest = Array.from({ length: SANDBOXES - 1 }, (_, index) => join(root, `s${index + 2}`));
    for (let next = 0; next < rest.length; next += START_CONCURRENCY)
      sandboxes.push(
        ...(await Promise.all(rest.slice(next, next + START_CONCURRENCY).map((dir) => sandboxUp(pki, dir)))),
      );
    console.log(`${SANDBOXES} sandboxes up in ${seconds((performance.now() - started) / 1000)} (not measured below)`);

    const first = sandboxes[0] as Sandbox;
    const conn = connOf(pki, first);
    const cold = auditOnce([conn]);
    const single = Array.from({ length: SINGLE_RUNS }, () => auditOnce([conn]));
    if (single.some((run) => run.reachable !== 1)) throw new Error("the audit did not reach the sandbox");
    const singleMedian = median(single.map((run) => run.seconds));
    console.log(
      `(1) one server: median ${seconds(singleMedian)} over ${SINGLE_RUNS} runs (${single.map((run) => run.seconds.toFixed(2)).join(" / ")}; ` +
        `first ${seconds(cold.seconds)}), ${single[0]?.checks} checks run, ${single[0]?.findings} findings`,
    );

    const tree = await pgdsatTree(root);
    let pgdsatMedian: number | undefined;
    if (tree === undefined) {
      console.log(
        `(2) pgdsat: not measured, no source at ${PGDSAT_MIRROR}: set PGDSAT_MIRROR (bare git) or PGDSAT_DIR`,
      );
    } else {
      const report = join(root, "pgdsat-report.txt");
      const pgdsat = Array.from({ length: PGDSAT_RUNS }, () => pgdsatOnce(tree, pki, first, report));
      pgdsatMedian = median(pgdsat);
      const summary = (await readFile(report, "utf8"))
        .split("\n")
        .filter((line) => / => (SUCCESS|FAILURE)$/.test(line));
      console.log(
        `(2) pgdsat on the same server: median ${seconds(pgdsatMedian)} over ${PGDSAT_RUNS} runs (${pgdsat.map((run) => run.toFixed(2)).join(" / ")}), ` +
          `${summary.length} automated checks in its report; pgwarden ${(pgdsatMedian / singleMedian).toFixed(1)}x faster`,
      );
    }

    const conns = sandboxes.map((sandbox) => connOf(pki, sandbox));
    started = performance.now();
    const fleet = Array.from({ length: FLEET_RUNS }, () => auditOnce(conns));
    if (fleet.some((run) => run.reachable !== SANDBOXES)) throw new Error("the audit did not reach every sandbox");
    const fleetMedian = median(fleet.map((run) => run.seconds));
    console.log(
      `(3) ${SANDBOXES} servers in one audit: median ${seconds(fleetMedian)} over ${FLEET_RUNS} runs (${fleet.map((run) => run.seconds.toFixed(2)).join(" / ")}), ` +
        `${fleet[0]?.checks} checks run, ${fleet[0]?.findings} findings`,
    );

    const verdict = (met: boolean) => (met ? "met" : "NOT met");
    console.log(
      `targets: one server < ${TARGET_SINGLE_SECONDS} s: ${verdict(singleMedian < TARGET_SINGLE_SECONDS)}; ` +
        `faster than pgdsat: ${pgdsatMedian === undefined ? "not measured" : verdict(singleMedian < pgdsatMedian)}; ` +
        `${SANDBOXES} servers < ${TARGET_FLEET_SECONDS} s: ${verdict(fleetMedian < TARGET_FLEET_SECONDS)}`,
    );
  } finally {
    await Promise.all(sandboxes.map((sandbox) => pgwarden(["sandbox", "down", "--dir", sandbox.dir, "--purge"])));
    await rm(root, { recursive: true, force: true });
  }
}

await main();
