import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { draftsOnFacts, literalSettings } from "../../../../test/support/literal-facts.js";
import { type PathInfo, type PgdataFiles, pgdataFilesFact } from "../../facts/pgdata-files.js";
import { type Tablespace, tablespacesFact } from "../../facts/pgdata-tablespaces.js";
import { settingsFact } from "../../facts/settings.js";
import { hbaFileMode } from "./hba-file-mode.js";
import { HOST_CHECKS } from "./index.js";
import { logDirectoryInPgdata } from "./log-directory-in-pgdata.js";
import { insideDataDirectory } from "./path-inside.js";
import { pgdataMode } from "./pgdata-mode.js";
import { pgdataSymlinks } from "./pgdata-symlinks.js";
import { tablespaceInPgdata } from "./tablespace-in-pgdata.js";
import { unixSocketPermissions } from "./unix-socket-permissions.js";

const PGDATA = "/var/lib/postgresql/15/main";
const SERVER_UID = 105;

function entry(name: string, kind: PathInfo["kind"], mode: number, extra: Partial<PathInfo> = {}): PathInfo {
  return { path: `${PGDATA}/${name}`, kind, mode, uid: SERVER_UID, gid: 110, ...extra };
}

function pgdataFiles(overrides: Partial<PgdataFiles> = {}): PgdataFiles {
  return {
    dir: PGDATA,
    pgdata: { path: PGDATA, kind: "directory", mode: 0o700, uid: SERVER_UID, gid: 110 },
    entries: [entry("base", "directory", 0o700), entry("pg_wal", "symlink", 0o777, { linkTarget: "/wal/15" })],
    hbaFile: entry("pg_hba.conf", "file", 0o600),
    ...overrides,
  };
}

const SETTINGS = {
  data_directory: PGDATA,
  logging_collector: "on",
  log_destination: "stderr",
  log_directory: "/var/log/postgresql",
  unix_socket_permissions: "0770",
  unix_socket_directories: "/var/run/postgresql",
};

function facts(
  files: PgdataFiles = pgdataFiles(),
  settings: Record<string, string> = {},
  tablespaces: readonly Tablespace[] = [{ name: "fast", location: "/ssd/pg" }],
) {
  return [
    [pgdataFilesFact, files],
    [settingsFact, literalSettings({ ...SETTINGS, ...settings })],
    [tablespacesFact, tablespaces],
  ] as const;
}

describe("host checks on literal facts", () => {
  test("a data directory laid out as recommended gets no host finding", async () => {
    for (const host of HOST_CHECKS) assert.deepEqual(await draftsOnFacts(host, facts()), [], host.id);
  });

  test("pgdata-mode: 0750 is low (group access), 0755 and 0770 are high, 0700 is silent", async () => {
    const severityOf = async (mode: number) => {
      const drafts = await draftsOnFacts(pgdataMode, facts(pgdataFiles({ pgdata: { ...pgdataFiles().pgdata, mode } })));
      return drafts.map((draft) => [draft.severity ?? pgdataMode.severity, draft.fix]);
    };
    assert.deepEqual(await severityOf(0o750), [["low", `chmod 0700 '${PGDATA}'`]]);
    assert.deepEqual(await severityOf(0o755), [["high", `chmod 0700 '${PGDATA}'`]]);
    assert.deepEqual(await severityOf(0o770), [["high", `chmod 0700 '${PGDATA}'`]]);
    assert.deepEqual(await severityOf(0o700), []);
    const message = async (mode: number) =>
      (await draftsOnFacts(pgdataMode, facts(pgdataFiles({ pgdata: { ...pgdataFiles().pgdata, mode } }))))[0]?.message;
    assert.equal(await message(0o775), `PGDATA ${PGDATA} is mode 0775: its group can alter the data files`);
    assert.equal(await message(0o705), `PGDATA ${PGDATA} is mode 0705: every OS user can list and read the data files`);
    assert.equal(await message(0o750), `PGDATA ${PGDATA} is mode 0750: group gid 110 can read every data file`);
  });

  test("hba-file-mode: world-writable is critical, group-writable high, world-readable medium, 0640 silent", async () => {
    const judged = async (hbaFile: PathInfo) =>
      (await draftsOnFacts(hbaFileMode, facts(pgdataFiles({ hbaFile })))).map((draft) => [
        draft.subject,
        draft.severity ?? hbaFileMode.severity,
      ]);
    const hba = `${PGDATA}/pg_hba.conf`;
    assert.deepEqual(await judged(entry("pg_hba.conf", "file", 0o666)), [[`${hba} mode`, "critical"]]);
    assert.deepEqual(await judged(entry("pg_hba.conf", "file", 0o660)), [[`${hba} mode`, "high"]]);
    assert.deepEqual(await judged(entry("pg_hba.conf", "file", 0o644)), [[`${hba} mode`, "medium"]]);
    assert.deepEqual(await judged(entry("pg_hba.conf", "file", 0o640)), []);
    assert.deepEqual(await judged(entry("pg_hba.conf", "file", 0o640, { uid: 0 })), [], "root may own it");
    assert.deepEqual(await judged(entry("pg_hba.conf", "file", 0o600, { uid: 1000 })), [[`${hba} owner`, "high"]]);
  });

  test("hba-file-mode judges the file a symlinked pg_hba.conf points to", async () => {
    const target: PathInfo = { path: "/etc/pg/pg_hba.conf", kind: "file", mode: 0o666, uid: 0, gid: 0 };
    const link = entry("pg_hba.conf", "symlink", 0o777, { linkTarget: "/etc/pg/pg_hba.conf", resolved: target });
    const [draft] = await draftsOnFacts(hbaFileMode, facts(pgdataFiles({ hbaFile: link })));
    assert.equal(draft?.subject, "/etc/pg/pg_hba.conf mode");
    assert.equal(draft?.fix, "chmod 0600 '/etc/pg/pg_hba.conf'");
    assert.deepEqual(
      draft?.evidence.map((evidence) => evidence.label),
      [`symlink ${PGDATA}/pg_hba.conf -> /etc/pg/pg_hba.conf`, "file /etc/pg/pg_hba.conf"],
    );
  });

  test("pgdata-symlinks: a linked server.key is reported, pg_wal is not", async () => {
    const files = pgdataFiles({
      entries: [
        entry("pg_wal", "symlink", 0o777, { linkTarget: "/wal" }),
        entry("server.key", "symlink", 0o777, { linkTarget: "/etc/ssl/private/pg.key" }),
      ],
    });
    const drafts = await draftsOnFacts(pgdataSymlinks, facts(files));
    assert.deepEqual(
      drafts.map((draft) => draft.message),
      ["server.key in PGDATA is a symlink to /etc/ssl/private/pg.key"],
    );
  });

  test("log-directory-in-pgdata: relative, empty or inside PGDATA fires; outside, or no log files of its own, does not", async () => {
    const subjects = async (settings: Record<string, string>) =>
      (await draftsOnFacts(logDirectoryInPgdata, facts(pgdataFiles(), settings))).map((draft) => draft.fix);
    const fix =
      `[ -d /var/log/postgresql ] || install -d -m 0750 -o "$(stat -c %U '${PGDATA}')" -g "$(stat -c %G '${PGDATA}')" ` +
      "/var/log/postgresql (as root, on the server's host; or choose another directory outside PGDATA the server's OS user " +
      "can write), then: ALTER SYSTEM SET log_directory = '/var/log/postgresql'; SELECT pg_reload_conf();";
    assert.deepEqual(await subjects({ log_directory: "log" }), [fix]);
    assert.deepEqual(await subjects({ log_directory: "" }), [fix]);
    assert.deepEqual(await subjects({ log_directory: `${PGDATA}/pg_log/` }), [fix]);
    assert.deepEqual(await subjects({ log_directory: `${PGDATA}-logs` }), [], "a sibling whose name starts alike");
    // PGDATA above /var/log/postgresql: no directory is proposed, the DBA chooses one.
    const [above] = await subjects({ log_directory: "log", data_directory: "/var" });
    assert.match(above ?? "", /^choose a directory outside the data directory.*log_directory = '<that directory>'/);
    assert.deepEqual(await subjects({ log_directory: "log", logging_collector: "off" }), []);
    assert.deepEqual(await subjects({ log_directory: "log", log_destination: "syslog" }), []);
  });

  test("tablespace-in-pgdata: a location under PGDATA fires, one elsewhere does not", async () => {
    const drafts = await draftsOnFacts(
      tablespaceInPgdata,
      facts(pgdataFiles(), {}, [
        { name: "inside", location: `${PGDATA}/ts` },
        { name: "fast", location: "/ssd/pg" },
        { name: "inplace", location: "pg_tblspc/16384" },
      ]),
    );
    assert.deepEqual(
      drafts.map((draft) => draft.subject),
      ["inside", "inplace"],
    );
  });

  test("unix-socket-permissions: 0777 fires, 0770 and no socket at all do not", async () => {
    const fired = async (settings: Record<string, string>) =>
      (await draftsOnFacts(unixSocketPermissions, facts(pgdataFiles(), settings))).length;
    assert.equal(await fired({ unix_socket_permissions: "0777" }), 1);
    assert.equal(await fired({ unix_socket_permissions: "0775" }), 1);
    assert.equal(await fired({ unix_socket_permissions: "0770" }), 0);
    assert.equal(await fired({ unix_socket_permissions: "0777", unix_socket_directories: "" }), 0);
  });

  test("insideDataDirectory compares whole path components", () => {
    assert.equal(insideDataDirectory("/data/pg/log", "/data/pg"), true);
    assert.equal(insideDataDirectory("/data/pg", "/data/pg/"), true);
    assert.equal(insideDataDirectory("/data/pg2/log", "/data/pg"), false);
    assert.equal(insideDataDirectory("/data/pg/../log", "/data/pg"), false);
    assert.equal(insideDataDirectory("pg_log", "/data/pg"), true);
  });
});
