import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

import { inetAton, inetPton6 } from "./host-name.js";

/** glibc's own answers, through Python's socket module (inet_aton and inet_pton call glibc). */
function glibc(fn: "aton" | "pton6", inputs: readonly string[]): (string | null)[] {
  const code = `
import json, socket, sys
out = []
for s in json.loads(sys.argv[2]):
    try:
        b = socket.inet_aton(s) if sys.argv[1] == "aton" else socket.inet_pton(socket.AF_INET6, s)
        out.append(b.hex())
    except (OSError, ValueError):
        out.append(None)
print(json.dumps(out))`;
  const run = spawnSync("python3", ["-c", code, fn, JSON.stringify(inputs)], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as (string | null)[];
}

test("inetAton reads host strings as glibc inet_aton does (libpq uses it to tell an address from a name)", () => {
  const inputs = [
    "127.0.0.1",
    "127.1",
    "10.257",
    "0x7f.1",
    "017.0.0.1",
    "2130706433",
    "1.2.3.4.5",
    "256.1.1.1",
    "1.2.3.256",
    "08.1.1.1",
    "db.example.com",
    "1.2.3.4 trailing",
    "",
    "1..2",
    "0x",
    "4294967296",
  ];
  const expected = glibc("aton", inputs);
  assert.deepEqual(
    inputs.map((input) => inetAton(input)?.toString("hex") ?? null),
    expected,
  );
});

test("inetPton6 reads IPv6 as glibc inet_pton does", () => {
  const inputs = [
    "::1",
    "2001:db8::5",
    "::ffff:127.0.0.1",
    "fe80::1%eth0",
    "1:2:3:4:5:6:7:8",
    "1::2::3",
    "127.0.0.1",
    "::",
  ];
  assert.deepEqual(
    inputs.map((input) => inetPton6(input)?.toString("hex") ?? null),
    glibc("pton6", inputs),
  );
});
