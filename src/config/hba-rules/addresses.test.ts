import assert from "node:assert/strict";
import { test } from "node:test";

import { compareText } from "../../core/text.js";
import { AddressError, addressProblem, expandAddress, literalNetwork } from "./addresses.js";

const context = {
  adminIp: "10.0.0.9",
  infraHosts: ["10.0.0.9", "10.0.0.10"],
  clusterMembers: ["10.0.0.1"],
  intranet: ["10.0.0.0/8", "192.168.1.1"],
};

test("literal networks: CIDRs as written, bare addresses completed, the rest refused", () => {
  assert.equal(literalNetwork("10.1.2.3/8"), "10.1.2.3/8");
  assert.equal(literalNetwork("10.1.2.3"), "10.1.2.3/32");
  assert.equal(literalNetwork("::1"), "::1/128");
  for (const bad of ["999.0.0.1", "10.0.0.0/33", "example.com", ""]) assert.equal(literalNetwork(bad), undefined, bad);
});

test("addr values are checked without the inventory: aliases, keywords, addresses", () => {
  for (const good of [
    "local",
    "localhost",
    "admin",
    "infra",
    "cluster",
    "intra",
    "intranet",
    "world",
    "all",
    "samehost",
    "samenet",
    "fd00::/8",
  ])
    assert.equal(addressProblem(good), undefined, good);
  assert.match(addressProblem("internet") ?? "", /^invalid addr "internet": use an alias/);
});

test("expansion: string order for infra, host prefixes, completed intranet entries", () => {
  assert.deepEqual(expandAddress("infra", context), { kind: "network", addresses: ["10.0.0.10/32", "10.0.0.9/32"] });
  assert.deepEqual(expandAddress("intra", context), { kind: "network", addresses: ["10.0.0.0/8", "192.168.1.1/32"] });
  assert.deepEqual(expandAddress("admin", { ...context, adminIp: "fd00::9" }), {
    kind: "network",
    addresses: ["fd00::9/128"],
  });
  assert.throws(
    () => expandAddress("cluster", { ...context, clusterMembers: ["db1.example.com"] }),
    (error: Error) =>
      error instanceof AddressError && /cluster member "db1\.example\.com" is not an IP address/.test(error.message),
  );
  assert.throws(() => expandAddress("admin", { ...context, adminIp: undefined }), AddressError);
});

test("text order is code-unit order, as Jinja's sort", () => {
  assert.deepEqual(["10.0.0.9", "10.0.0.10", "10.0.0.100"].sort(compareText), ["10.0.0.10", "10.0.0.100", "10.0.0.9"]);
});
