import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../core/errors.js";
import { type NamedPki, sandboxPkiChoice, type SandboxPkiFacts } from "./sandbox-pki.js";

const flag: NamedPki = { path: "/other/pki", source: "flag" };
const env: NamedPki = { path: "/other/pki", source: "env" };
const byDefault: NamedPki = { path: "./pki", source: "default" };
const recorded = { pki: "/sandbox/pki" };
const facts = (named: NamedPki, extra: Partial<SandboxPkiFacts> = {}): SandboxPkiFacts => ({
  dir: "/sandbox",
  recorded,
  named,
  sameDirectory: false,
  recordedExists: true,
  ...extra,
});

test("which PKI a sandbox command uses: named without a sandbox, or when it is the recorded one; else the recorded one, unless --pki says otherwise", () => {
  const table: { name: string; facts: SandboxPkiFacts; want: ReturnType<typeof sandboxPkiChoice> }[] = [
    { name: "no sandbox: the named PKI", facts: facts(flag, { recorded: undefined }), want: { use: "named" } },
    {
      name: "named and recorded are one directory",
      facts: facts(flag, { sameDirectory: true }),
      want: { use: "named" },
    },
    {
      name: "the default ./pki gives way to the recorded PKI, silently",
      facts: facts(byDefault),
      want: { use: "recorded", path: "/sandbox/pki" },
    },
    {
      name: "PGWARDEN_PKI gives way to the recorded PKI, with a note",
      facts: facts(env),
      want: {
        use: "recorded",
        path: "/sandbox/pki",
        info: "pgwarden: using the PKI /sandbox/pki that sandbox up recorded for /sandbox, not PGWARDEN_PKI=/other/pki",
      },
    },
    {
      name: "a recorded PKI that is gone: --pki names where it is now",
      facts: facts(flag, { recordedExists: false }),
      want: { use: "named" },
    },
    {
      name: "a sandbox.json not to be believed: the named PKI, with a warning",
      facts: facts(byDefault, { recorded: { untrusted: "it belongs to uid 70" } }),
      want: {
        use: "named",
        warning:
          "not using the PKI named in /sandbox/sandbox.json: it belongs to uid 70; using " +
          `${process.cwd()}/pki instead`,
      },
    },
  ];
  for (const row of table) assert.deepEqual(sandboxPkiChoice(row.facts), row.want, row.name);
});

test("--pki naming another PKI than the sandbox's is refused (exit 2); a recorded PKI gone with no --pki is not found (exit 4)", () => {
  assert.throws(
    () => sandboxPkiChoice(facts(flag)),
    (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && error.code === "sandbox-pki-mismatch",
  );
  for (const named of [env, byDefault]) {
    assert.throws(
      () => sandboxPkiChoice(facts(named, { recordedExists: false })),
      (error: unknown) =>
        error instanceof PgwardenError && error.exitCode === 4 && error.code === "sandbox-pki-missing",
    );
  }
});
