import assert from "node:assert/strict";
import { test } from "node:test";

import type { Connection } from "../match.js";
import type { HbaRule } from "../model.js";
import { parseHbaText } from "../parse/index.js";
import { authenticationOutcome } from "./authentication.js";

async function rule(line: string): Promise<HbaRule> {
  const file = await parseHbaText(line, "pg_hba.conf");
  assert.deepEqual(file.errors, []);
  return file.rules[0] as HbaRule;
}

const tls = (extra: Partial<Connection> = {}): Connection => ({
  user: "alice",
  database: "app",
  address: "10.1.2.3",
  ssl: true,
  ...extra,
});

test("reject refuses, trust lets in, password methods demand a password", async () => {
  const reject = authenticationOutcome(await rule("host all all all reject"), tls());
  assert.equal(reject.access, "refused");
  assert.match(reject.reason ?? "", /rejects/);
  assert.deepEqual(authenticationOutcome(await rule("host all all all trust"), tls()), {
    access: "allowed",
    demands: "nothing",
  });
  assert.deepEqual(authenticationOutcome(await rule("host all all all scram-sha-256"), tls()), {
    access: "allowed",
    demands: "a password (SCRAM-SHA-256)",
  });
  assert.match(authenticationOutcome(await rule("host all all all md5"), tls()).demands, /MD5, or SCRAM/);
  assert.match(authenticationOutcome(await rule("host all all all password"), tls()).demands, /clear text/);
});

test("cert: refused without a certificate, refused when its CN is another role, allowed when the CN is the user", async () => {
  const cert = await rule("hostssl all all all cert");
  const none = authenticationOutcome(cert, tls());
  assert.equal(none.access, "refused");
  assert.match(none.reason ?? "", /no client certificate/);
  const other = authenticationOutcome(cert, tls({ certificate: { commonName: "bob" } }));
  assert.equal(other.access, "refused");
  assert.equal(
    other.reason,
    'certificate CN bob is not user alice (the client is told: certificate authentication failed for user "alice")',
  );
  assert.equal(other.serverMessage, 'certificate authentication failed for user "alice"');
  assert.equal(none.serverMessage, "connection requires a valid client certificate");
  assert.deepEqual(authenticationOutcome(cert, tls({ certificate: { commonName: "alice" } })), {
    access: "allowed",
    demands: "a client certificate whose CN is alice",
  });
  assert.equal(
    authenticationOutcome(cert, tls({ certificate: { commonName: "Alice" } })).access,
    "refused",
    "the comparison is case-sensitive",
  );
});

test("cert with a map or clientname=DN cannot be decided from a CN", async () => {
  const mapped = authenticationOutcome(
    await rule("hostssl all all all cert map=certs"),
    tls({ certificate: { commonName: "bob" } }),
  );
  assert.equal(mapped.access, "unknown");
  assert.match(mapped.reason ?? "", /pg_ident\.conf map certs/);
  assert.match(mapped.demands, /map certs maps to alice/);
  const dn = authenticationOutcome(
    await rule("hostssl all all all cert clientname=DN"),
    tls({ certificate: { commonName: "alice" } }),
  );
  assert.equal(dn.access, "unknown");
  assert.match(dn.reason ?? "", /subject DN/);
  assert.equal(
    authenticationOutcome(await rule("hostssl all all all cert map=certs"), tls()).access,
    "refused",
    "no certificate fails whatever the map says",
  );
});

test("clientcert=verify-full and verify-ca add a certificate to the method's demands", async () => {
  const full = await rule("hostssl all all all scram-sha-256 clientcert=verify-full");
  const allowed = authenticationOutcome(full, tls({ certificate: { commonName: "alice" } }));
  assert.equal(allowed.access, "allowed");
  assert.equal(
    allowed.demands,
    "a password (SCRAM-SHA-256), and a client certificate whose CN is alice (clientcert=verify-full)",
  );
  const mismatch = authenticationOutcome(full, tls({ certificate: { commonName: "bob" } }));
  assert.equal(mismatch.access, "refused");
  assert.equal(
    mismatch.serverMessage,
    'password authentication failed for user "alice"',
    "auth.c auth_failed names the method, not the certificate",
  );
  assert.match(
    mismatch.reason ?? "",
    /checked after scram-sha-256 succeeds: the client is told "password authentication failed for user \"alice\""/,
  );
  assert.equal(authenticationOutcome(full, tls()).access, "refused");

  const ca = await rule("hostssl all all all scram-sha-256 clientcert=verify-ca");
  assert.equal(
    authenticationOutcome(ca, tls({ certificate: { commonName: "bob" } })).access,
    "allowed",
    "verify-ca does not compare names",
  );
  assert.equal(authenticationOutcome(ca, tls()).access, "refused");
});

test("identity methods name what proves the user, and the map when there is one", async () => {
  assert.equal(
    authenticationOutcome(await rule("local all all peer"), tls({ address: "local", ssl: false })).demands,
    "the client's operating system user: alice",
  );
  assert.equal(
    authenticationOutcome(await rule("local all all peer map=ops"), tls({ address: "local", ssl: false })).demands,
    "the client's operating system user, mapped to alice by pg_ident.conf map ops",
  );
  assert.match(authenticationOutcome(await rule("host all all all ident"), tls()).demands, /ident server/);
  assert.match(
    authenticationOutcome(
      await rule(`host all all all ldap ldapserver=ldap.example.com ldapprefix=cn= ldapsuffix=",dc=example"`),
      tls(),
    ).demands,
    /LDAP/,
  );
});

test("clientcert is checked before the method: reject or trust with clientcert and no certificate fails for the missing certificate", async () => {
  for (const line of [
    "hostssl all all all reject clientcert=verify-ca",
    "hostssl all all all trust clientcert=verify-full",
    "hostssl all all all scram-sha-256 clientcert=verify-ca",
  ]) {
    const none = authenticationOutcome(await rule(line), tls());
    assert.equal(none.access, "refused", line);
    assert.equal(none.serverMessage, "connection requires a valid client certificate", line);
  }
  const rejected = authenticationOutcome(
    await rule("hostssl all all all reject clientcert=verify-ca"),
    tls({ certificate: { commonName: "alice" } }),
  );
  assert.equal(
    rejected.serverMessage,
    'pg_hba.conf rejects connection for host "10.1.2.3", user "alice", database "app", SSL encryption',
    "with a certificate, reject rejects",
  );
});

test("a CN mismatch behind another method is told as that method's failure (auth.c auth_failed)", async () => {
  const trust = authenticationOutcome(
    await rule("hostssl all all all trust clientcert=verify-full"),
    tls({ certificate: { commonName: "bob" } }),
  );
  assert.deepEqual([trust.access, trust.serverMessage], ["refused", '"trust" authentication failed for user "alice"']);
  const md5 = authenticationOutcome(
    await rule("hostssl all all all md5 clientcert=verify-full"),
    tls({ certificate: { commonName: "bob" } }),
  );
  assert.equal(md5.serverMessage, 'password authentication failed for user "alice"');
});
