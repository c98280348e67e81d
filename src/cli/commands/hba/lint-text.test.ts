import assert from "node:assert/strict";
import { test } from "node:test";

import type { Finding } from "../../../core/finding.js";
import { lintTextChunks } from "./lint-text.js";

const finding = (file: string, line: number): Finding => ({
  id: "md5-deprecated",
  severity: "medium",
  source: { file, line },
  rule: "host all all 10.0.0.0/8 md5",
  message: "md5 authentication",
  why: "md5 verifiers are password-equivalent",
  fix: "use scram-sha-256",
});

test("a FILE source's first heading is not prefixed with the same file name twice; another source's label is kept", () => {
  const fromFile = [...lintTextChunks("hba1.conf: ", [finding("hba1.conf", 2)], 3)].join("");
  assert.equal(fromFile.split("\n")[0], "hba1.conf:2: host all all 10.0.0.0/8 md5");
  const fromInventory = [...lintTextChunks("pigsty.yml (cluster pg-test): ", [finding("pigsty.yml", 12)], 3)].join("");
  assert.equal(
    fromInventory.split("\n")[0],
    "pigsty.yml (cluster pg-test): pigsty.yml:12: host all all 10.0.0.0/8 md5",
  );
});
