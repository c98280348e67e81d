import assert from "node:assert/strict";
import { test } from "node:test";

import { draftsOnFacts, LITERAL_CONF, literalSettings } from "../../../test/support/literal-facts.js";
import { settingsFact } from "../facts/settings.js";
import { settingCheck, type SettingCheckSpec } from "./setting-check.js";

/** A check of work_mem against a floor another setting gives: weak below it. */
const WORK_MEM: SettingCheckSpec = {
  id: "test/work-mem",
  title: "work_mem is below its floor",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  why: "a test check",
  fix: "ALTER SYSTEM SET work_mem = '4MB'; SELECT pg_reload_conf();",
  setting: "work_mem",
  isWeak: (value, settings) => Number(value) < Number(settings.get("work_mem_floor")?.value ?? "0"),
  message: (value) => `work_mem is ${value}`,
};
const workMemTooLow = settingCheck(WORK_MEM);

test("settingCheck: a server check of the settings fact, with the metadata given and nothing else", () => {
  assert.equal(workMemTooLow.scope, "server");
  assert.deepEqual(workMemTooLow.facts, [settingsFact]);
  assert.equal("cis" in workMemTooLow, false);
  assert.equal("setting" in workMemTooLow, false);
});

test("settingCheck: a weak value is one finding on the setting, with its value and file:line; a sound one is none", async () => {
  const weak = await draftsOnFacts(workMemTooLow, [
    [settingsFact, literalSettings({ work_mem_floor: "4096", work_mem: "64" })],
  ]);
  assert.deepEqual(weak, [
    {
      subject: "work_mem",
      message: "work_mem is 64",
      evidence: [
        { label: "setting work_mem", value: "64 (configuration file)", source: { file: LITERAL_CONF, line: 2 } },
      ],
    },
  ]);
  const sound = [[settingsFact, literalSettings({ work_mem_floor: "4096", work_mem: "8192" })]] as const;
  assert.deepEqual(await draftsOnFacts(workMemTooLow, sound), []);
});

test("settingCheck: a server without the parameter is not judged", async () => {
  assert.deepEqual(
    await draftsOnFacts(workMemTooLow, [[settingsFact, literalSettings({ work_mem_floor: "4096" })]]),
    [],
  );
});

test("settingCheck: the settings the judgement relied on follow the setting's own evidence line", async () => {
  const shown = settingCheck({ ...WORK_MEM, shownWith: ["work_mem_floor"] });
  const [draft] = await draftsOnFacts(shown, [
    [settingsFact, literalSettings({ work_mem_floor: "4096", work_mem: "64" })],
  ]);
  assert.deepEqual(
    draft?.evidence.map((line) => line.label),
    ["setting work_mem", "setting work_mem_floor"],
  );
});
