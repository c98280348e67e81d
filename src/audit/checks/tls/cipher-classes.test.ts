import assert from "node:assert/strict";
import { test } from "node:test";

import { type CipherSuite, expandCipherString } from "../../facts/tls-cipher-suites.js";
import { forwardSecret, weakness } from "./cipher-classes.js";

/** OpenSSL's own keywords for what weakness() calls broken, and for ephemeral key exchange. */
const WEAK_KEYWORDS = "aNULL:eNULL:EXPORT:RC4:DES:3DES:RC2:IDEA:MD5";
const FORWARD_SECRET_KEYWORDS = "kECDHE:kDHE:kECDHEPSK:kDHEPSK";

/** ssl_ciphers values seen in the field, and strings that select the odd corners. */
const STRINGS = [
  "HIGH:MEDIUM:+3DES:!aNULL",
  "ALL:COMPLEMENTOFALL",
  "DEFAULT",
  "ALL:eNULL",
  "aNULL",
  "kRSA",
  "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!PSK",
  "HIGH:!aNULL:!MD5",
  "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
];

const names = (suites: readonly CipherSuite[]) =>
  new Set(suites.filter((suite) => suite.protocol !== "TLSv1.3").map((suite) => suite.name));

test("weakness() and forwardSecret() agree with OpenSSL's own cipher keywords on every suite each string selects", async () => {
  const weakSelected = names(await expandCipherString(WEAK_KEYWORDS));
  const forwardSelected = names(await expandCipherString(FORWARD_SECRET_KEYWORDS));
  let judged = 0;
  for (const cipherString of STRINGS) {
    for (const suite of await expandCipherString(cipherString)) {
      if (suite.protocol === "TLSv1.3") continue;
      judged++;
      assert.equal(weakness(suite) !== undefined, weakSelected.has(suite.name), `${cipherString}: ${suite.name} weak`);
      assert.equal(
        forwardSecret(suite),
        forwardSelected.has(suite.name),
        `${cipherString}: ${suite.name} forward secret`,
      );
    }
  }
  assert.ok(judged > 100, `judged ${judged} suites`);
  assert.ok(weakSelected.size > 0, "this OpenSSL has weak suites to compare with (NULL, anonymous at least)");
});
