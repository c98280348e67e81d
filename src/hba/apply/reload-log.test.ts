import assert from "node:assert/strict";
import { test } from "node:test";

import { reloadVerdict } from "./reload-log.js";

const SENTINEL = "pgwarden-reload-0123456789abcdef";
const prefix = (pid: number) => `2026-12-04 20:32:45.033 UTC [${pid}] `;

test("reloadVerdict: a refused pg_hba.conf, with PostgreSQL's reason and the line it names", () => {
  const log = [
    `${prefix(7)}LOG:  received SIGHUP, reloading configuration files`,
    `${prefix(7)}LOG:  parameter "work_mem" changed to "8MB"`,
    `${prefix(7)}LOG:  invalid value for clientname: "XY"`,
    `${prefix(7)}CONTEXT:  line 2 of configuration file "/pg/data/pg_hba.conf"`,
    `${prefix(7)}LOG:  pg_hba.conf was not reloaded`,
    `${prefix(9)}LOG:  ${SENTINEL}`,
  ].join("\n");
  assert.deepEqual(reloadVerdict(log, SENTINEL), {
    kind: "not-loaded",
    reason: 'invalid value for clientname: "XY"; line 2 of configuration file "/pg/data/pg_hba.conf"',
  });
});

test("reloadVerdict: a reload without complaint about pg_hba.conf loaded it (a hostssl warning is not a refusal)", () => {
  const log = [
    `${prefix(7)}LOG:  received SIGHUP, reloading configuration files`,
    `${prefix(7)}LOG:  hostssl record cannot match because SSL is disabled`,
    `${prefix(9)}LOG:  ${SENTINEL}`,
    `${prefix(7)}LOG:  pg_hba.conf was not reloaded`,
  ].join("\n");
  assert.deepEqual(
    reloadVerdict(log, SENTINEL),
    { kind: "loaded" },
    "what comes after the marker belongs to a later reload",
  );
});

test("reloadVerdict: no marker, or no reload line, proves nothing", () => {
  assert.equal(
    reloadVerdict(`${prefix(7)}LOG:  received SIGHUP, reloading configuration files\n`, SENTINEL).kind,
    "unconfirmed",
  );
  const german = `${prefix(7)}LOG:  SIGHUP empfangen, Konfigurationsdateien werden neu geladen\n${prefix(9)}LOG:  ${SENTINEL}\n`;
  const verdict = reloadVerdict(german, SENTINEL);
  assert.equal(verdict.kind, "unconfirmed");
  assert.match(verdict.kind === "unconfirmed" ? verdict.why : "", /lc_messages/);
});
