import assert from "node:assert/strict";
import { test } from "node:test";

import { serverCertificateRequest, verifyName } from "./server-request.js";

test("without --cn the server certificate is for this host; without --san it names the CN and loopback once each", () => {
  assert.deepEqual(serverCertificateRequest({ san: [] }, "db1"), {
    commonName: "db1",
    subjectAltNames: ["db1", "localhost", "127.0.0.1", "::1"],
    group: "server",
    force: undefined,
    cnAsSan: undefined,
  });
  // A CN that is itself a loopback name is not named twice.
  assert.deepEqual(serverCertificateRequest({ cn: "localhost", san: [] }, "db1").subjectAltNames, [
    "localhost",
    "127.0.0.1",
    "::1",
  ]);
});

test("--san replaces the default names entirely, and --group, --force and --no-cn-san pass through", () => {
  const request = serverCertificateRequest(
    { cn: "db1.example.com", san: ["10.0.0.11"], group: "pg", force: true, cnSan: false },
    "ignored",
  );
  assert.deepEqual(request, {
    commonName: "db1.example.com",
    subjectAltNames: ["10.0.0.11"],
    group: "pg",
    force: true,
    cnAsSan: false,
  });
});

test("the handshake verifies the first name asked for (its value, without an IP:/DNS: prefix), else the CN", () => {
  assert.equal(verifyName({ commonName: "db1", subjectAltNames: ["10.0.0.11", "db1"] }), "10.0.0.11");
  assert.equal(verifyName({ commonName: "db1", subjectAltNames: ["DNS:vip.example.com"] }), "vip.example.com");
  assert.equal(verifyName({ commonName: "db1", subjectAltNames: [] }), "db1");
});
