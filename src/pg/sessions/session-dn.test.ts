import assert from "node:assert/strict";
import { test } from "node:test";

import { nameKey, nodeNameAttributes, rfc2253Attributes, sessionDnAttributes } from "./session-dn.js";
import { decimalSerialToHex } from "./tls-sessions.js";

test("an RFC 2253 name (pg_stat_ssl) and Node's subject text of the same name compare equal", () => {
  assert.equal(
    nameKey(rfc2253Attributes("CN=pgwarden CA\\, test,O=Example+OU=DB,C=FR")),
    nameKey(nodeNameAttributes("C=FR\nO=Example\nOU=DB\nCN=pgwarden CA, test")),
  );
  assert.notEqual(nameKey(rfc2253Attributes("CN=a,O=b")), nameKey(nodeNameAttributes("CN=a\nO=b")));
  assert.deepEqual(rfc2253Attributes("CN=x\\2Cy"), ["CN=x,y"]);
});

test("PostgreSQL 15's oneline DN (/C=FR/CN=x) compares equal to Node's text of the same name, a / in a value included", () => {
  assert.equal(
    nameKey(sessionDnAttributes("/C=FR/O=Ex/ample/CN=pgwarden-ca")),
    nameKey(nodeNameAttributes("C=FR\nO=Ex/ample\nCN=pgwarden-ca")),
  );
  assert.notEqual(nameKey(sessionDnAttributes("/CN=pgwarden-ca")), nameKey(nodeNameAttributes("CN=other-ca")));
});

test("pg_stat_ssl's decimal client_serial becomes the records' hex, beyond 2^53", () => {
  assert.equal(decimalSerialToHex("255"), "ff");
  assert.equal(decimalSerialToHex("340282366920938463463374607431768211455"), "ff".repeat(16));
  assert.equal(decimalSerialToHex("1"), "01");
});
