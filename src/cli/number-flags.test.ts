import assert from "node:assert/strict";
import { test } from "node:test";

import { ExitCode, PgwardenError } from "../core/errors.js";
import { durationFlag, integerFlag, portFlag } from "./number-flags.js";

/** What `parse(text)` refuses with: the usage error's code and one-line message. */
function refusal(parse: (text: string) => number, text: string): { code: string; message: string } {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof PgwardenError, `${JSON.stringify(text)}: ${String(error)}`);
    assert.equal(error.exitCode, ExitCode.usage, JSON.stringify(text));
    return { code: error.code, message: error.message };
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

const port = portFlag();

test("a port is plain decimal digits from 1 to 65535", () => {
  const good: [string, number][] = [
    ["5432", 5432],
    ["1", 1],
    ["65535", 65535],
    ["05432", 5432],
  ];
  for (const [text, value] of good) assert.equal(port(text), value, text);
});

test("a port written any other way is refused in one line naming the flag, the range and what was typed", () => {
  const bad = [
    "0x1538",
    "5e3",
    "+5",
    "-1",
    " 5",
    "5 ",
    "",
    "65536",
    "0",
    "1.5",
    "5432.0",
    "\u0665", // ARABIC-INDIC DIGIT FIVE: \d with /u and Number() disagree on other scripts' digits
    "\uff15", // FULLWIDTH DIGIT FIVE
    "0o17",
    "0b1",
    "Infinity",
    "9".repeat(400),
    "5432\n",
    "abc",
  ];
  for (const text of bad) {
    const { code, message } = refusal(port, text);
    assert.equal(code, "bad-port");
    assert.equal(message, `--port must be a TCP port, a whole number from 1 to 65535, not ${JSON.stringify(text)}`);
    assert.doesNotMatch(message, /\n/, "one line, even for a value holding a line break");
  }
});

test("every integer flag takes its own range and says it in the same words", () => {
  const days = integerFlag({ flag: "--days", min: 1, max: 36500, code: "bad-days" });
  assert.equal(days("1"), 1);
  assert.equal(days("36500"), 36500);
  const cases: [string, string][] = [
    ["0", '--days must be a whole number from 1 to 36500, not "0"'],
    ["36501", '--days must be a whole number from 1 to 36500, not "36501"'],
    ["-30", '--days must be a whole number from 1 to 36500, not "-30"'],
    [" 30", '--days must be a whole number from 1 to 36500, not " 30"'],
    ["1e3", '--days must be a whole number from 1 to 36500, not "1e3"'],
  ];
  for (const [text, message] of cases) assert.deepEqual(refusal(days, text), { code: "bad-days", message }, text);
  const iterations = integerFlag({ flag: "--scram-iterations", min: 4096, max: 2_147_483_647, code: "bad-iterations" });
  assert.equal(iterations("2147483647"), 2_147_483_647);
  assert.deepEqual(refusal(iterations, "4095"), {
    code: "bad-iterations",
    message: '--scram-iterations must be a whole number from 4096 to 2147483647, not "4095"',
  });
});

test("a duration is whole hours, days or weeks, in milliseconds", () => {
  const expiring = durationFlag("--expiring");
  const good: [string, number][] = [
    ["30d", 30 * 86_400_000],
    ["12h", 12 * 3_600_000],
    ["2w", 14 * 86_400_000],
    ["0d", 0],
  ];
  for (const [text, value] of good) assert.equal(expiring(text), value, text);
  for (const text of [
    "30",
    "d",
    "",
    " 30d",
    "30 d",
    "30d ",
    "0x1ed",
    "1.5d",
    "+3d",
    "-3d",
    "3D",
    "3m",
    "\u0665d",
    "abc",
  ]) {
    assert.deepEqual(
      refusal(expiring, text),
      {
        code: "bad-duration",
        message: `--expiring must be a duration, a whole number then h, d or w (12h, 30d, 2w), not ${JSON.stringify(text)}`,
      },
      text,
    );
  }
});
