import assert from "node:assert/strict";
import { test } from "node:test";

import { formatNetwork, hostBits, maskToPrefix, networkContains, parseAddress, parseNetwork } from "./address.js";

test("IPv4 and IPv6 CIDRs parse, host bits are cleared, bad input is undefined", () => {
  assert.equal(formatNetwork(parseNetwork("10.1.2.3/8")!), "10.0.0.0/8");
  assert.equal(formatNetwork(parseNetwork("::1/128")!), "::1/128");
  assert.equal(formatNetwork(parseNetwork("fd00:1::5/32")!), "fd00:1::/32");
  assert.equal(formatNetwork(parseNetwork("::ffff:10.0.0.1")!), "::ffff:a00:1/128");
  for (const bad of [
    "10.0.0.0/33",
    "::/129",
    "10.0.0",
    "999.1.1.1/8",
    "host.example.com",
    "10.0.0.0/8/1",
    "10.0.0.0/x",
  ])
    assert.equal(parseNetwork(bad), undefined, bad);
});

test("containment across prefixes and families", () => {
  const net = (text: string) => parseNetwork(text)!;
  assert.ok(networkContains(net("10.0.0.0/8"), net("10.20.0.0/16")));
  assert.ok(networkContains(net("0.0.0.0/0"), net("192.168.1.1")));
  assert.ok(!networkContains(net("10.20.0.0/16"), net("10.0.0.0/8")));
  assert.ok(!networkContains(net("0.0.0.0/0"), net("::1")));
  assert.ok(networkContains(net("::/0"), net("::1")));
  assert.ok(networkContains(net("fd00::/8"), parseAddress("fd12:3456::1")!));
  assert.equal(hostBits(net("10.0.0.0/8")), 24);
});

test("dotted masks become prefixes; non-contiguous masks are refused", () => {
  assert.equal(maskToPrefix("255.255.0.0"), 16);
  assert.equal(maskToPrefix("255.255.255.255"), 32);
  assert.equal(maskToPrefix("0.0.0.0"), 0);
  assert.equal(maskToPrefix("255.0.255.0"), undefined);
  assert.equal(maskToPrefix("ffff:ffff::"), 32);
});
