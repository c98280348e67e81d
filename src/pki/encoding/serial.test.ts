import assert from "node:assert/strict";
import { test } from "node:test";

import { newSerial, normalizeSerial, serialFromDer, serialToDer } from "./serial.js";

test("serials carry 128 random bits and are unique across many draws", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) seen.add(newSerial());
  assert.equal(seen.size, 20_000);
  const lengths = [...seen].map((serial) => serial.length);
  // Leading zero bytes are dropped (a few serials are shorter), none is longer than 128 bits.
  assert.equal(Math.max(...lengths), 32);
  assert.ok(
    lengths.every((length) => length % 2 === 0),
    "whole bytes, as OpenSSL prints serials",
  );
});

test("a serial's DER integer is positive: a leading zero byte when the top bit is set", () => {
  const high = newSerial(() => Buffer.alloc(16, 0xff));
  assert.equal(high, "f".repeat(32));
  const der = serialToDer(high);
  assert.equal(der.length, 17);
  assert.equal(der[0], 0);
  assert.equal(serialFromDer(der), high);

  const low = newSerial(() => Buffer.from("00017f" + "00".repeat(13), "hex"));
  assert.equal(low, "017f" + "00".repeat(13));
  const lowDer = serialToDer(low);
  assert.equal(lowDer[0], 0x01, "no superfluous leading zero bytes");
  assert.equal(lowDer.length, 15);
});

test("an all-zero draw is retried: serials are never zero", () => {
  let calls = 0;
  const serial = newSerial((size) => (++calls === 1 ? Buffer.alloc(size) : Buffer.alloc(size, 1)));
  assert.equal(calls, 2);
  assert.equal(serial, "01".repeat(16));
});

test("serials from OpenSSL's colon form normalise to pgwarden's", () => {
  assert.equal(normalizeSerial("50:29:E3:60"), "5029e360");
  assert.equal(normalizeSerial("0x00ab"), "ab");
  assert.equal(normalizeSerial("0E6D"), "0e6d");
  assert.equal(normalizeSerial("E6D"), "0e6d");
  assert.throws(() => normalizeSerial("xyz"), /not a hexadecimal serial/);
});
