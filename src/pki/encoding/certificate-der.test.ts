import "reflect-metadata";

import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import { test } from "node:test";

import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { Extension, GeneralName, SubjectAlternativeName, SubjectKeyIdentifier, Validity } from "@peculiar/asn1-x509";

import { parseSubjectAltName, type SubjectAltName } from "../names/subject-alt-name.js";
import {
  commonNameDer,
  ipAddressOctets,
  subjectAltNameExtensionDer,
  subjectKeyIdentifier,
  subjectKeyIdExtensionDer,
  validityDer,
} from "./certificate-der.js";
import { buildName } from "./certificate-extensions.js";
import { derSequence, derTlv, readDerElement, TAG_OCTET_STRING } from "./der.js";

// Every hand-made encoding is compared with what @peculiar/asn1-x509 writes for the same value.

const engine = (value: object) => Buffer.from(AsnConvert.serialize(value));
const engineExtension = (extnID: string, value: object) =>
  engine(new Extension({ extnID, critical: false, extnValue: new OctetString(AsnConvert.serialize(value)) }));
const engineSan = (names: readonly SubjectAltName[]) =>
  engineExtension(
    "2.5.29.17",
    new SubjectAlternativeName(
      names.map((san) =>
        san.type === "dns" ? new GeneralName({ dNSName: san.value }) : new GeneralName({ iPAddress: san.value }),
      ),
    ),
  );

test("a CN subject is the engine's Name, byte for byte, at every length form and in UTF-8", () => {
  for (const commonName of [
    "a",
    "dbuser_dba",
    "x".repeat(63),
    "y".repeat(64),
    "z".repeat(120),
    "r".repeat(200),
    "ролевой_пользователь",
    "用户",
    "o'brien-\u00e9",
  ]) {
    assert.deepEqual(commonNameDer(commonName), engine(buildName({ commonName })), commonName);
  }
});

test("the subject key identifier extension is the engine's, and the id is SHA-1 of the key's bits", () => {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const keyId = subjectKeyIdentifier(spki);
  assert.deepEqual(Buffer.from(keyId), Buffer.from(subjectKeyIdentifier(publicKey)));
  assert.deepEqual(
    Buffer.from(keyId),
    createHash("sha1")
      .update(spki.subarray(spki.length - 65))
      .digest(),
  );
  assert.deepEqual(subjectKeyIdExtensionDer(keyId), engineExtension("2.5.29.14", new SubjectKeyIdentifier(keyId)));
});

test("SAN extensions are the engine's for DNS names, IPv4 and IPv6 in every written form", () => {
  const inputs = [
    "pg-1.example.com",
    "10.0.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "::1",
    "::",
    "2001:db8::1",
    "fe80::1:2:3:4",
    "2001:db8:0:0:1:0:0:1",
    "1:2:3:4:5:6:7:8",
    "::ffff:192.0.2.1",
    "64:ff9b::10.1.2.3",
  ];
  const names = inputs.map((input) => parseSubjectAltName(input));
  for (const name of names) assert.deepEqual(subjectAltNameExtensionDer([name]), engineSan([name]), name.value);
  assert.deepEqual(subjectAltNameExtensionDer(names), engineSan(names));
  // Enough names that the lengths take two octets.
  const many = Array.from({ length: 40 }, (_, index) => parseSubjectAltName(`host-${index}.db.example.com`));
  assert.deepEqual(subjectAltNameExtensionDer(many), engineSan(many));
});

test("IP octets: dotted IPv4 tails inside IPv6, full and compressed forms", () => {
  assert.deepEqual([...ipAddressOctets("192.0.2.1")], [192, 0, 2, 1]);
  assert.equal(ipAddressOctets("::ffff:192.0.2.1").toString("hex"), "00000000000000000000ffffc0000201");
  assert.equal(ipAddressOctets("2001:db8::").toString("hex"), "20010db8000000000000000000000000");
  assert.equal(ipAddressOctets("1:2:3:4:5:6:7:8").toString("hex"), "00010002000300040005000600070008");
  assert.throws(() => ipAddressOctets("999.1.1.1"), /not an IP address/);
  assert.throws(() => ipAddressOctets("host.example.com"), /not an IP address/);
});

test("validity is the engine's: UTCTime through 2049, GeneralizedTime from 2050, milliseconds dropped", () => {
  const cases: [string, string][] = [
    ["2026-12-01T23:44:24.789Z", "2027-12-01T23:49:24.000Z"],
    ["1999-01-02T03:04:05Z", "2049-12-31T23:59:59Z"],
    ["2049-12-31T23:59:59Z", "2050-01-01T00:00:00Z"],
    ["2036-11-28T00:00:00Z", "2126-06-30T12:30:45.5Z"],
  ];
  for (const [from, to] of cases) {
    const notBefore = new Date(from);
    const notAfter = new Date(to);
    assert.deepEqual(
      validityDer(notBefore, notAfter),
      engine(new Validity({ notBefore, notAfter })),
      `${from} .. ${to}`,
    );
  }
  assert.equal(validityDer(new Date("2050-01-01T00:00:00Z"), new Date("2050-01-01T00:00:00Z"))[2], 0x18);
});

test("TLVs of every length form read back whole", () => {
  for (const size of [0, 1, 127, 128, 255, 256, 65535, 65536, 70000]) {
    const content = Buffer.alloc(size, 0x5a);
    const single = derTlv(TAG_OCTET_STRING, content);
    const element = readDerElement(single, 0);
    assert.equal(element.tag, TAG_OCTET_STRING);
    assert.equal(element.end - element.start, size);
    assert.equal(element.end, single.length);
    assert.deepEqual(engine(new OctetString(content)), single, `size ${size}`);
    const halves = derSequence(content.subarray(0, size >> 1), content.subarray(size >> 1));
    assert.deepEqual(halves.subarray(readDerElement(halves, 0).start), content);
  }
});
