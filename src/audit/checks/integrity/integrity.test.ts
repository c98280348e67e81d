import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

import { draftsOnFacts, LITERAL_CONF, literalSettings } from "../../../../test/support/literal-facts.js";
import { type DatabaseStats, databaseStatsFact } from "../../facts/database-stats.js";
import { type FileSettingError, fileSettingErrorsFact } from "../../facts/file-settings.js";
import { settingsFact } from "../../facts/settings.js";
import { type ArchiverStats, archiverStatsFact } from "../../facts/stat-archiver.js";
import { archivingFailing } from "./archiving-failing.js";
import { archivingOff } from "./archiving-off.js";
import { checksumFailures } from "./checksum-failures.js";
import { dataChecksumsOff } from "./data-checksums-off.js";
import { fileSettingsErrors } from "./file-settings-errors.js";
import { fsyncOff } from "./fsync-off.js";
import { fullPageWritesOff } from "./full-page-writes-off.js";
import { INTEGRITY_CHECKS } from "./index.js";

const SAFE: Readonly<Record<string, string>> = {
  data_checksums: "on",
  fsync: "on",
  full_page_writes: "on",
  archive_mode: "on",
  archive_command: "pgbackrest --stanza=main archive-push %p",
  archive_library: "",
};
const HEALTHY_STATS: readonly DatabaseStats[] = [
  { checksumFailures: 0 },
  { database: "postgres", checksumFailures: 0 },
  { database: "app", checksumFailures: 0 },
];
const ARCHIVING_WELL: ArchiverStats = {
  archivedCount: 12,
  lastArchivedWal: "00000001000000000000000C",
  lastArchivedTime: new Date("2026-05-31T23:00:00Z"),
  failedCount: 1,
  lastFailedWal: "000000010000000000000003",
  lastFailedTime: new Date("2026-05-30T10:00:00Z"),
};

function facts(
  overrides: Readonly<Record<string, string>> = {},
  stats: readonly DatabaseStats[] = HEALTHY_STATS,
  errors: readonly FileSettingError[] = [],
  archiver: ArchiverStats = ARCHIVING_WELL,
) {
  return [
    [settingsFact, literalSettings({ ...SAFE, ...overrides })],
    [databaseStatsFact, stats],
    [fileSettingErrorsFact, errors],
    [archiverStatsFact, archiver],
  ] as const;
}

describe("integrity checks on literal facts", () => {
  test("a safe server gets no integrity finding", async () => {
    for (const integrity of INTEGRITY_CHECKS)
      assert.deepEqual(await draftsOnFacts(integrity, facts()), [], integrity.id);
  });

  for (const [check, name] of [
    [dataChecksumsOff, "data_checksums"],
    [fsyncOff, "fsync"],
    [fullPageWritesOff, "full_page_writes"],
  ] as const)
    test(`${check.id} reports ${name} = off with the file and line that set it`, async () => {
      const drafts = await draftsOnFacts(check, facts({ [name]: "off" }));
      assert.equal(drafts.length, 1);
      assert.equal(drafts[0]?.subject, name);
      assert.equal(drafts[0]?.evidence[0]?.label, `setting ${name}`);
      assert.equal(drafts[0]?.evidence[0]?.source?.file, LITERAL_CONF);
    });

  test("checksum failures: one critical finding per damaged database, the shared catalogs included", async () => {
    const last = new Date("2026-05-20T08:00:00Z");
    const drafts = await draftsOnFacts(
      checksumFailures,
      facts({}, [
        { checksumFailures: 1, lastChecksumFailure: last },
        { database: "postgres", checksumFailures: 0 },
        { database: "app", checksumFailures: 3, lastChecksumFailure: last },
      ]),
    );
    assert.deepEqual(
      drafts.map((draft) => draft.subject),
      ["(shared catalogs)", "app"],
    );
    assert.match(
      drafts[1]?.message ?? "",
      /3 page\(s\) failed their checksum in database app, last at 2026-05-20T08:00/,
    );
    assert.equal(checksumFailures.severity, "critical");
  });

  test("checksum failures: null counters (checksums off) are no finding", async () => {
    assert.deepEqual(
      await draftsOnFacts(checksumFailures, facts({}, [{ database: "app", checksumFailures: null }])),
      [],
    );
  });

  test("file settings errors: each error line is a finding at its file and line; pending restarts are not", async () => {
    const drafts = await draftsOnFacts(
      fileSettingsErrors,
      facts({}, HEALTHY_STATS, [
        { source: { file: "/etc/pg/conf.d/x.conf", line: 3 }, error: "syntax error" },
        { source: { file: "/etc/pg/postgresql.conf", line: 64 }, name: "port", error: "setting could not be applied" },
        {
          source: { file: "/etc/pg/postgresql.conf", line: 80 },
          name: "work_mem",
          error: "invalid value for parameter",
        },
      ]),
    );
    assert.deepEqual(
      drafts.map((draft) => [draft.subject, draft.source?.line, draft.message]),
      [
        ["/etc/pg/conf.d/x.conf:3", 3, "/etc/pg/conf.d/x.conf:3: syntax error"],
        ["/etc/pg/postgresql.conf:80", 80, "/etc/pg/postgresql.conf:80: work_mem: invalid value for parameter"],
      ],
    );
  });

  test("archiving off: archive_mode off, or on with nothing to archive with", async () => {
    const off = await draftsOnFacts(archivingOff, facts({ archive_mode: "off" }));
    assert.deepEqual(
      off.map((draft) => draft.subject),
      ["archive_mode"],
    );
    const empty = await draftsOnFacts(archivingOff, facts({ archive_command: "", archive_library: "" }));
    assert.match(empty[0]?.message ?? "", /neither archive_command nor archive_library is set/);
    // Archiving off is a recovery gap (medium); WAL piling up with nothing to archive it fills the disk (high).
    assert.deepEqual([off[0]?.severity ?? archivingOff.severity, empty[0]?.severity], ["medium", "high"]);
    assert.deepEqual(
      await draftsOnFacts(archivingOff, facts({ archive_command: "", archive_library: "basic_archive" })),
      [],
      "an archive library is archiving",
    );
    assert.deepEqual(await draftsOnFacts(archivingOff, facts({ archive_mode: "always" })), []);
  });

  test("archiving off: the fix names no tool the host may lack; its archive_command copies WAL with sh, test and cp", async () => {
    const [off] = await draftsOnFacts(archivingOff, facts({ archive_mode: "off", data_directory: "/srv/pg data" }));
    const fix = off?.fix ?? "";
    assert.doesNotMatch(fix, /pgbackrest/);
    assert.match(
      fix,
      /^install -d -m 0700 -o "\$\(stat -c %U '\/srv\/pg data'\)" \/path\/to\/archive \(as root; replace/,
    );
    assert.match(fix, /ALTER SYSTEM SET archive_mode = on;/);
    assert.match(fix, /FROM pg_stat_archiver;$/);
    const [empty] = await draftsOnFacts(archivingOff, facts({ archive_command: "", archive_library: "" }));
    assert.match(empty?.fix ?? "", /^install -d -m 0700 -o <server OS user> .*SELECT pg_reload_conf\(\);/);
    // The archive_command as the archiver runs it (sh -c, %p and %f replaced): into the chosen directory it copies;
    // with the placeholder left in, it fails with a status the archiver counts (not 127, command not found).
    const command = /archive_command = '([^']*)'/.exec(fix)?.[1] ?? "";
    const dir = await mkdtemp(join(tmpdir(), "pgwarden-archive-"));
    try {
      await writeFile(join(dir, "000000010000000000000001"), "wal");
      await mkdir(join(dir, "archive"));
      const archive = (target: string) =>
        spawnSync(
          "sh",
          [
            "-c",
            command
              .replaceAll("/path/to/archive", target)
              .replace("%p", "000000010000000000000001")
              .replaceAll("%f", "000000010000000000000001"),
          ],
          { cwd: dir },
        );
      assert.equal(archive(join(dir, "archive")).status, 0);
      assert.equal(await readFile(join(dir, "archive", "000000010000000000000001"), "utf8"), "wal");
      assert.equal(archive(join(dir, "archive")).status, 1, "an archived file is never overwritten");
      const unfilled = spawnSync(
        "sh",
        ["-c", command.replace("%p", "000000010000000000000001").replaceAll("%f", "x")],
        { cwd: dir },
      );
      assert.ok(
        unfilled.status !== 0 && unfilled.status !== null && unfilled.status < 126,
        `status ${unfilled.status}`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("archiving failing: a failure after the last success is a finding, an old one is not", async () => {
    const failing: ArchiverStats = {
      ...ARCHIVING_WELL,
      failedCount: 7,
      lastFailedTime: new Date("2026-06-01T00:00:00Z"),
    };
    const drafts = await draftsOnFacts(archivingFailing, facts({}, HEALTHY_STATS, [], failing));
    assert.match(drafts[0]?.message ?? "", /last WAL archiving attempt failed .* 7 failure/);
    const never: ArchiverStats = { archivedCount: 0, failedCount: 2, lastFailedTime: new Date("2026-05-01T00:00:00Z") };
    assert.equal((await draftsOnFacts(archivingFailing, facts({}, HEALTHY_STATS, [], never))).length, 1);
    assert.deepEqual(
      await draftsOnFacts(archivingFailing, facts({ archive_mode: "off" }, HEALTHY_STATS, [], never)),
      [],
    );
  });

  test("archiving failing: WAL waiting more than ten minutes is stuck archiving even with no failure counted", async () => {
    // An archive_command that is not found (exit 127) ends the archiver without counting a failure.
    const now = new Date("2026-06-01T00:00:00Z");
    const waiting = (minutes: number): ArchiverStats => ({
      archivedCount: 0,
      failedCount: 0,
      ready: { count: 3, oldest: new Date(now.getTime() - minutes * 60_000) },
    });
    const stuck = await draftsOnFacts(archivingFailing, facts({}, HEALTHY_STATS, [], waiting(11)), now);
    assert.match(stuck[0]?.message ?? "", /3 WAL segment\(s\) wait to be archived, the oldest since 2026-05-31T23:49/);
    assert.deepEqual(await draftsOnFacts(archivingFailing, facts({}, HEALTHY_STATS, [], waiting(2)), now), []);
  });
});
