import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import {
  draftsOnFacts,
  type LiteralFact,
  literalSettings,
  runOnFacts,
} from "../../../../test/support/literal-facts.js";
import { makeCertificate, makeCrl } from "../../../../test/support/x509-fixtures.js";
import { type HbaFile } from "../../../hba/model.js";
import { parseHbaText } from "../../../hba/parse/index.js";
import { decodePemBlocks } from "../../../pki/encoding/pem.js";
import { type AuditCheck } from "../../audit-check.js";
import { hbaRulesFact } from "../../facts/hba-rules.js";
import { type ServedCertificate, servedCertificateFact } from "../../facts/served-certificate.js";
import { servedLegacyProtocolFact } from "../../facts/served-legacy-protocol.js";
import { type ServedTls, servedTlsFact } from "../../facts/served-tls.js";
import { type ServerTlsFiles, serverTlsFilesFact } from "../../facts/server-tls-files.js";
import { settingsFact } from "../../facts/settings.js";
import { parseCipherLine, type TlsCipherSuites, tlsCipherSuitesFact } from "../../facts/tls-cipher-suites.js";
import { type TlsKeyFiles, tlsKeyFilesFact } from "../../facts/tls-key-files.js";
import { type TlsSession, tlsSessionsFact } from "../../facts/tls-sessions.js";
import { tlsTrustAnchorsFact } from "../../facts/tls-trust-anchors.js";
import { certRulesWithoutCa } from "./cert-rules-without-ca.js";
import { certificateExpired } from "./certificate-expired.js";
import { certificateExpiring } from "./certificate-expiring.js";
import { certificateHostMismatch } from "./certificate-host-mismatch.js";
import { certificateUntrusted } from "./certificate-untrusted.js";
import { certificateWeakKey } from "./certificate-weak-key.js";
import { certificateWeakSignature } from "./certificate-weak-signature.js";
import { ciphersWithoutForwardSecrecy } from "./ciphers-without-forward-secrecy.js";
import { crlExpired } from "./crl-expired.js";
import { crlMissing } from "./crl-missing.js";
import { hostRulesAllowPlaintext } from "./host-rules-allow-plaintext.js";
import { fileProblem, keyFileMode } from "./key-file-mode.js";
import { minProtocol } from "./min-protocol.js";
import { notServed } from "./not-served.js";
import { sessionsWithoutTls } from "./sessions-without-tls.js";
import { sslOff } from "./ssl-off.js";
import { tcpRulesWithoutTls } from "./tcp-rules-without-tls.js";
import { weakCiphers } from "./weak-ciphers.js";

const NOW = new Date("2026-06-01T12:00:00Z");

const settings = (values: Record<string, string>): LiteralFact => [settingsFact, literalSettings(values)];
const hba = async (...lines: string[]): Promise<LiteralFact> => [
  hbaRulesFact,
  await parseHbaText(lines.join("\n"), "/data/pg_hba.conf"),
];
const served = (leaf: Buffer, chain: Buffer[] = [], host = "127.0.0.1"): LiteralFact => [
  servedCertificateFact,
  { host, port: 5432, leaf, chain } satisfies ServedCertificate,
];

const findings = (check: AuditCheck, facts: readonly LiteralFact[]) => draftsOnFacts(check, facts, NOW);

test("tls/ssl-off: fires with ssl off, with the setting's file:line; silent with ssl on", async () => {
  const [off] = await findings(sslOff, [settings({ ssl: "off" })]);
  assert.equal(off?.evidence[0]?.source?.file, "/data/postgresql.conf");
  assert.deepEqual(await findings(sslOff, [settings({ ssl: "on" })]), []);
});

test("tls/tcp-rules-without-tls: ssl off with a network host rule; not loopback, hostssl, cert, reject, nor without TCP", async () => {
  const network = await hba("host all all 10.0.0.0/8 scram-sha-256", "host all all 127.0.0.1/32 scram-sha-256");
  const [finding, ...rest] = await findings(tcpRulesWithoutTls, [
    settings({ ssl: "off", listen_addresses: "*" }),
    network,
  ]);
  assert.equal(rest.length, 0);
  assert.match(finding?.message ?? "", /1 rule admits logins from the network/);
  assert.ok(
    finding?.evidence.some(
      (entry) => entry.value === "host all all 10.0.0.0/8 scram-sha-256" && entry.source?.line === 1,
    ),
  );
  assert.ok(
    !finding?.evidence.some((entry) => entry.value.includes("127.0.0.1")),
    "a loopback rule is not the network",
  );
  const quiet = await hba(
    "host all all 127.0.0.1/32 scram-sha-256",
    "hostssl all all 10.0.0.0/8 scram-sha-256",
    "host all all 10.0.0.0/8 cert",
    "host all all 0.0.0.0/0 reject",
  );
  assert.deepEqual(await findings(tcpRulesWithoutTls, [settings({ ssl: "off", listen_addresses: "*" }), quiet]), []);
  assert.deepEqual(await findings(tcpRulesWithoutTls, [settings({ ssl: "off", listen_addresses: "" }), network]), []);
  assert.deepEqual(await findings(tcpRulesWithoutTls, [settings({ ssl: "on", listen_addresses: "*" }), network]), []);
});

test("tls/host-rules-allow-plaintext: each host/hostnossl rule from the network while ssl is on, its fix the hostssl line", async () => {
  const rules = await hba(
    "host all all 10.0.0.0/8 scram-sha-256",
    "hostnossl all all 192.168.0.0/16 trust",
    "hostssl all all 0.0.0.0/0 scram-sha-256",
    "host all all ::1/128 scram-sha-256",
    "host all all 0.0.0.0/0 reject",
    "host all all 0.0.0.0/0 cert",
    "hostgssenc all all 0.0.0.0/0 gss",
    "hostnogssenc all all 172.16.0.0/12 scram-sha-256",
  );
  const found = await findings(hostRulesAllowPlaintext, [settings({ ssl: "on", listen_addresses: "*" }), rules]);
  assert.deepEqual(
    found.map((finding) => [finding.subject, finding.source?.line]),
    [
      ["host all all 10.0.0.0/8 scram-sha-256", 1],
      ["hostnossl all all 192.168.0.0/16 trust", 2],
      ["hostnogssenc all all 172.16.0.0/12 scram-sha-256", 8],
    ],
  );
  assert.match(found[0]?.fix ?? "", /hostssl all all 10\.0\.0\.0\/8 scram-sha-256/);
  assert.match(found[2]?.fix ?? "", /with: hostssl all all 172\.16\.0\.0\/12 scram-sha-256;/);
  assert.deepEqual(
    await findings(hostRulesAllowPlaintext, [settings({ ssl: "off" }), rules]),
    [],
    "ssl off: tcp-rules-without-tls says it",
  );
});

test("tls/min-protocol: TLSv1 and TLSv1.1 (and a maximum below 1.2) fire; TLSv1.2, TLSv1.3 and ssl off are silent", async () => {
  for (const version of ["TLSv1", "TLSv1.1", ""]) {
    const [finding] = await findings(minProtocol, [settings({ ssl: "on", ssl_min_protocol_version: version })]);
    assert.equal(finding?.subject, "ssl_min_protocol_version", version);
  }
  for (const version of ["TLSv1.2", "TLSv1.3"])
    assert.deepEqual(await findings(minProtocol, [settings({ ssl: "on", ssl_min_protocol_version: version })]), []);
  assert.deepEqual(await findings(minProtocol, [settings({ ssl: "off", ssl_min_protocol_version: "TLSv1" })]), []);
  const tlsv1 = settings({ ssl: "on", ssl_min_protocol_version: "TLSv1" });
  const [accepted] = await findings(minProtocol, [
    tlsv1,
    [servedLegacyProtocolFact, { accepted: true, protocol: "TLSv1" }],
  ]);
  assert.equal(accepted?.severity, undefined, "a real TLS 1.0 handshake succeeded: the check's medium");
  assert.match(accepted?.message ?? "", /completed a TLSv1 handshake/);
  const [refused] = await findings(minProtocol, [
    tlsv1,
    [servedLegacyProtocolFact, { accepted: false, refusal: "unsupported protocol" }],
  ]);
  assert.equal(refused?.severity, "low", "OpenSSL's security level refuses it today: only the setting is wrong");
  const [max] = await findings(minProtocol, [
    settings({ ssl: "on", ssl_min_protocol_version: "TLSv1.2", ssl_max_protocol_version: "TLSv1.1" }),
  ]);
  assert.match(max?.fix ?? "", /ALTER SYSTEM RESET ssl_max_protocol_version/);
});

/** Lines as `openssl ciphers -v` prints them. */
const SUITES = {
  ecdheEcdsa: "ECDHE-ECDSA-AES128-GCM-SHA256  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(128)            Mac=AEAD",
  ecdheRsa: "ECDHE-RSA-AES128-GCM-SHA256    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(128)            Mac=AEAD",
  staticRsa: "AES128-GCM-SHA256              TLSv1.2 Kx=RSA      Au=RSA   Enc=AESGCM(128)            Mac=AEAD",
  nullRsa: "NULL-SHA256                    TLSv1.2 Kx=RSA      Au=RSA   Enc=None                   Mac=SHA256",
  anonymous: "AECDH-NULL-SHA                 TLSv1   Kx=ECDH     Au=None  Enc=None                   Mac=SHA1",
  tripleDes: "ECDHE-RSA-DES-CBC3-SHA         SSLv3   Kx=ECDH     Au=RSA   Enc=3DES(168)              Mac=SHA1",
  psk: "PSK-NULL-SHA                   SSLv3   Kx=PSK      Au=PSK   Enc=None                   Mac=SHA1",
} as const;

const suites = (...names: (keyof typeof SUITES)[]): LiteralFact => [
  tlsCipherSuitesFact,
  {
    sslCiphers: "test",
    openssl: "OpenSSL 3.0.19",
    suites: names.map((name) => parseCipherLine(SUITES[name])).filter((suite) => suite !== undefined),
  } satisfies TlsCipherSuites,
];

test("tls/weak-ciphers: NULL, anonymous and 3DES suites fire, except those the served key cannot use; PSK never; TLS 1.3 only silent", async () => {
  const on = settings({ ssl: "on", ssl_ciphers: "test", ssl_min_protocol_version: "TLSv1.2" });
  const [finding] = await findings(weakCiphers, [on, suites("ecdheRsa", "nullRsa", "anonymous", "tripleDes", "psk")]);
  assert.deepEqual(
    finding?.evidence.filter((entry) => entry.label.startsWith("suite ")).map((entry) => entry.label),
    ["suite NULL-SHA256", "suite AECDH-NULL-SHA", "suite ECDHE-RSA-DES-CBC3-SHA"],
  );
  const ec = await makeCertificate({ name: "CN=pg", dns: ["pg"] }, NOW);
  const [withEc] = await findings(weakCiphers, [on, suites("nullRsa", "anonymous"), served(ec.der)]);
  assert.deepEqual(
    withEc?.evidence.filter((entry) => entry.label.startsWith("suite ")).map((entry) => entry.label),
    ["suite AECDH-NULL-SHA"],
    "an EC key cannot serve RSA suites; anonymous ones need no key",
  );
  assert.deepEqual(await findings(weakCiphers, [on, suites("ecdheRsa", "ecdheEcdsa", "psk")]), []);
  const tls13 = settings({ ssl: "on", ssl_ciphers: "test", ssl_min_protocol_version: "TLSv1.3" });
  assert.deepEqual(await findings(weakCiphers, [tls13, suites("nullRsa")]), []);
  assert.deepEqual(await findings(weakCiphers, [settings({ ssl: "off" }), suites("nullRsa")]), []);
});

/** A self-signed RSA certificate made by openssl, as DER. */
function rsaCertificate(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "pgwarden-rsa-"));
  try {
    const der = join(dir, "c.der");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=pg", "-days", "30"].concat([
        "-keyout",
        join(dir, "k.pem"),
        "-outform",
        "DER",
        "-out",
        der,
      ]),
      { stdio: "ignore" },
    );
    return readFileSync(der);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("tls/ciphers-without-forward-secrecy: static RSA fires for a served RSA key, not an EC one; ECDHE and broken suites are not its", async () => {
  const on = settings({ ssl: "on", ssl_ciphers: "test", ssl_min_protocol_version: "TLSv1.2" });
  const rsa = served(rsaCertificate());
  const [finding] = await findings(ciphersWithoutForwardSecrecy, [on, suites("ecdheRsa", "staticRsa", "nullRsa"), rsa]);
  assert.deepEqual(
    finding?.evidence.filter((entry) => entry.label.startsWith("suite ")).map((entry) => entry.label),
    ["suite AES128-GCM-SHA256"],
  );
  const ec = await makeCertificate({ name: "CN=pg" }, NOW);
  assert.deepEqual(await findings(ciphersWithoutForwardSecrecy, [on, suites("staticRsa"), served(ec.der)]), []);
  assert.deepEqual(await findings(ciphersWithoutForwardSecrecy, [on, suites("ecdheRsa", "ecdheEcdsa"), rsa]), []);
  // Without the served certificate (a Unix-socket audit) the key is unknown: the check needs it, so it does not run.
  await assert.rejects(
    findings(ciphersWithoutForwardSecrecy, [on, suites("staticRsa")]),
    /no literal value for fact served-certificate/,
  );
  assert.ok(ciphersWithoutForwardSecrecy.facts.includes(servedCertificateFact));
});

const session = (overrides: Partial<TlsSession>): TlsSession => ({
  pid: 100,
  user: "app",
  database: "app",
  clientAddress: "10.1.2.3",
  backendType: "client backend",
  ssl: false,
  version: null,
  cipher: null,
  own: false,
  ...overrides,
});

test("tls/sessions-without-tls: one finding per role, database and address; loopback low; TLS sessions and the audit's own silent", async () => {
  const found = await findings(sessionsWithoutTls, [
    [
      tlsSessionsFact,
      [
        session({ pid: 1 }),
        session({ pid: 2 }),
        session({ pid: 3, clientAddress: "127.0.0.1" }),
        session({ pid: 4, ssl: true, version: "TLSv1.3" }),
        session({ pid: 5, own: true, clientAddress: "127.0.0.1", user: "auditor" }),
      ],
    ],
  ]);
  assert.deepEqual(
    found.map((finding) => [finding.subject, finding.severity, finding.evidence.length]),
    [
      ["app@app from 10.1.2.3", undefined, 2],
      ["app@app from 127.0.0.1", "low", 1],
    ],
  );
  assert.deepEqual(await findings(sessionsWithoutTls, [[tlsSessionsFact, [session({ ssl: true })]]]), []);
});

test("tls/certificate-expired and -expiring: expired is critical, within 30 days high, 31 days silent; the timeline gets every served certificate", async () => {
  const ca = await makeCertificate({ name: "CN=ca" }, NOW);
  const expired = await makeCertificate({ name: "CN=old", issuer: ca, notBeforeDays: -40, notAfterDays: -1 }, NOW);
  const soon = await makeCertificate({ name: "CN=soon", issuer: ca, notAfterDays: 10 }, NOW);
  const later = await makeCertificate({ name: "CN=later", issuer: ca, notAfterDays: 31 }, NOW);
  const run = await runOnFacts(certificateExpired, [served(expired.der, [ca.der])], NOW);
  assert.deepEqual(
    run.drafts.map((draft) => draft.subject),
    ["served certificate"],
  );
  assert.deepEqual(
    run.sightings.map((sighting) => [sighting.subject, sighting.seenAt]),
    [
      ["CN=old", "served on the wire"],
      ["CN=ca", "served on the wire"],
    ],
  );
  assert.deepEqual(await findings(certificateExpired, [served(soon.der)]), []);
  const [expiring] = await findings(certificateExpiring, [served(soon.der)]);
  assert.match(expiring?.message ?? "", /expires in 10 days/);
  assert.deepEqual(await findings(certificateExpiring, [served(later.der)]), []);
  assert.deepEqual(await findings(certificateExpiring, [served(expired.der)]), [], "expired is not expiring");
  const chainSoon = await makeCertificate({ name: "CN=int", issuer: ca, pathLen: 0, notAfterDays: 5 }, NOW);
  const [chained] = await findings(certificateExpiring, [served(later.der, [chainSoon.der])]);
  assert.equal(chained?.subject, "served chain: CN=int");
});

/** A self-signed RSA certificate made by openssl req -x509 (what pgwarden will not make): key size and digest as given. */
function opensslSelfSigned(keyBits: number, digest: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "pgwarden-tls-unit-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        `rsa:${keyBits}`,
        "-nodes",
        `-${digest}`,
        "-subj",
        "/CN=weak",
        "-days",
        "30",
        "-keyout",
        join(dir, "k.pem"),
        "-out",
        join(dir, "c.pem"),
      ],
      { stdio: "ignore" },
    );
    const [block] = decodePemBlocks(readFileSync(join(dir, "c.pem"), "latin1"));
    return (block as { der: Buffer }).der;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("tls/certificate-weak-key and -weak-signature: RSA 1024 and SHA-1 fire; RSA 2048 SHA-256 and EC P-256 are silent", async () => {
  const weak = opensslSelfSigned(1024, "sha1");
  const strong = opensslSelfSigned(2048, "sha256");
  const ec = await makeCertificate({ name: "CN=pg" }, NOW);
  const [key] = await findings(certificateWeakKey, [served(weak)]);
  assert.equal(key?.evidence[1]?.value, "RSA 1024 bits");
  const [signature] = await findings(certificateWeakSignature, [served(weak)]);
  assert.equal(signature?.evidence[1]?.value, "sha1WithRSAEncryption");
  for (const der of [strong, ec.der]) {
    assert.deepEqual(await findings(certificateWeakKey, [served(der)]), []);
    assert.deepEqual(await findings(certificateWeakSignature, [served(der)]), []);
  }
  assert.deepEqual(
    await findings(certificateWeakSignature, [served(ec.der, [weak])]),
    [],
    "a self-signed root's own signature is never checked",
  );
});

test("tls/certificate-host-mismatch: the host the audit dialled, as libpq verify-full matches it", async () => {
  const named = await makeCertificate({ name: "CN=pg-1", dns: ["pg-1.example.com"], ip: ["127.0.0.1"] }, NOW);
  assert.deepEqual(await findings(certificateHostMismatch, [served(named.der, [], "127.0.0.1")]), []);
  assert.deepEqual(await findings(certificateHostMismatch, [served(named.der, [], "PG-1.example.com")]), []);
  const [finding] = await findings(certificateHostMismatch, [served(named.der, [], "10.0.0.9")]);
  assert.match(finding?.message ?? "", /does not match host name "10\.0\.0\.9"/);
  assert.match(finding?.fix ?? "", /--san 10\.0\.0\.9/);
  const cnOnly = await makeCertificate({ name: "CN=127.0.0.1" }, NOW);
  assert.deepEqual(await findings(certificateHostMismatch, [served(cnOnly.der)]), [], "no IP SAN: libpq reads the CN");
});

test("tls/certificate-untrusted: a chain to another CA fires; an expired leaf of the right CA is left to certificate-expired", async () => {
  const ca = await makeCertificate({ name: "CN=ca" }, NOW);
  const other = await makeCertificate({ name: "CN=other" }, NOW);
  const leaf = await makeCertificate({ name: "CN=pg", issuer: ca, extKeyUsage: ["serverAuth"] }, NOW);
  // Valid from before its CA: judged at the middle of its dates, the CA would not yet be valid.
  const expired = await makeCertificate({ name: "CN=pg", issuer: ca, notBeforeDays: -60, notAfterDays: -1 }, NOW);
  const anchors = (...certificates: Buffer[]): LiteralFact => [
    tlsTrustAnchorsFact,
    { from: "--ca ca.crt", certificates },
  ];
  assert.deepEqual(await findings(certificateUntrusted, [served(leaf.der), anchors(ca.der)]), []);
  const [finding] = await findings(certificateUntrusted, [served(leaf.der), anchors(other.der)]);
  assert.match(finding?.message ?? "", /does not verify against --ca ca\.crt/);
  assert.ok(finding?.evidence.some((entry) => entry.label === "openssl verify"));
  assert.deepEqual(await findings(certificateUntrusted, [served(expired.der), anchors(ca.der)]), []);
});

test("tls/cert-rules-without-ca: cert rules and PostgreSQL's clientcert refusal while ssl_ca_file is empty; silent with a CA", async () => {
  const rules = await hba("hostssl all all 10.0.0.0/8 cert", "hostssl all all 10.0.0.0/8 scram-sha-256");
  const withError = {
    ...(rules[1] as HbaFile),
    errors: [
      {
        source: { file: "/data/pg_hba.conf", line: 3 },
        message: "clientcert can only be configured if a root certificate store is available",
      },
    ],
  };
  const found = await findings(certRulesWithoutCa, [
    settings({ ssl: "on", ssl_ca_file: "" }),
    [hbaRulesFact, withError],
  ]);
  assert.deepEqual(
    found.map((finding) => finding.subject),
    ["hostssl all all 10.0.0.0/8 cert", "/data/pg_hba.conf:3"],
  );
  assert.deepEqual(await findings(certRulesWithoutCa, [settings({ ssl: "on", ssl_ca_file: "root.crt" }), rules]), []);
});

test("tls/crl-missing: cert rules with ssl_ca_file and no CRL fire; a CRL file or directory, or no cert rule, is silent", async () => {
  const certRules = await hba("hostssl all all 10.0.0.0/8 cert");
  const base = { ssl: "on", ssl_ca_file: "root.crt", ssl_crl_file: "", ssl_crl_dir: "" };
  const [finding] = await findings(crlMissing, [settings(base), certRules]);
  assert.match(finding?.message ?? "", /1 rule verifies client certificates/);
  assert.deepEqual(await findings(crlMissing, [settings({ ...base, ssl_crl_file: "root.crl" }), certRules]), []);
  assert.deepEqual(await findings(crlMissing, [settings({ ...base, ssl_crl_dir: "crl.d" }), certRules]), []);
  assert.deepEqual(
    await findings(crlMissing, [settings(base), await hba("hostssl all all 10.0.0.0/8 scram-sha-256")]),
    [],
  );
});

test("tls/crl-expired: a CRL past nextUpdate fires with its issuer and file; a current one is silent", async () => {
  const ca = await makeCertificate({ name: "CN=ca" }, NOW);
  const crlDer = (pem: string) => (decodePemBlocks(pem)[0] as { der: Buffer }).der;
  const stale = crlDer(await makeCrl({ issuer: ca, thisUpdateDays: -10, nextUpdateDays: -1 }, NOW));
  const fresh = crlDer(await makeCrl({ issuer: ca }, NOW));
  const files = (der: Buffer): LiteralFact => [
    serverTlsFilesFact,
    {
      crls: [{ setting: "ssl_crl_file", path: "root.crl", file: "root.crl", der }],
      unreadable: [],
    } satisfies ServerTlsFiles,
  ];
  const [finding] = await findings(crlExpired, [files(stale)]);
  assert.equal(finding?.subject, "root.crl: CN=ca");
  assert.deepEqual(await findings(crlExpired, [files(fresh)]), []);
});

test("tls/key-file-mode: PostgreSQL's rule for the key (0600 by its user, 0640 by root), certificates not writable by others", async () => {
  const file = (setting: "ssl_key_file" | "ssl_cert_file", uid: number, mode: number) => ({
    setting,
    path: setting === "ssl_key_file" ? "server.key" : "server.crt",
    resolved: `/data/${setting}`,
    exists: true,
    regular: true,
    uid,
    owner: uid === 0 ? "root" : uid === 101 ? "postgres" : "mallory",
    mode,
  });
  const table: [ReturnType<typeof file>, boolean][] = [
    [file("ssl_key_file", 101, 0o600), false],
    [file("ssl_key_file", 101, 0o400), false],
    [file("ssl_key_file", 101, 0o640), true],
    [file("ssl_key_file", 0, 0o640), false],
    [file("ssl_key_file", 0, 0o644), true],
    [file("ssl_key_file", 1000, 0o600), true],
    [file("ssl_cert_file", 101, 0o644), false],
    [file("ssl_cert_file", 101, 0o666), true],
    [file("ssl_cert_file", 1000, 0o644), true],
  ];
  for (const [entry, bad] of table)
    assert.equal(
      fileProblem(entry, 101) !== undefined,
      bad,
      `${entry.setting} uid ${entry.uid} mode ${entry.mode.toString(8)}`,
    );
  const facts: TlsKeyFiles = {
    pgdata: "/data",
    serverUid: 101,
    serverUser: "postgres",
    files: [file("ssl_key_file", 101, 0o644), file("ssl_cert_file", 101, 0o644)],
  };
  const [finding, ...rest] = await findings(keyFileMode, [[tlsKeyFilesFact, facts], settings({ ssl: "on" })]);
  assert.equal(rest.length, 0);
  assert.equal(
    finding?.fix,
    "chown postgres: '/data/ssl_key_file' && chmod 600 '/data/ssl_key_file'; then SELECT pg_reload_conf();",
  );
});

test("tls/key-file-mode: silent with ssl off (the server reads neither file, missing or not); its fix quotes the path for sh", async () => {
  const missing = (setting: "ssl_key_file" | "ssl_cert_file") => ({
    setting,
    path: setting === "ssl_key_file" ? "server.key" : "server.crt",
    resolved: `/data/${setting}`,
    exists: false,
    regular: false,
    uid: -1,
    owner: "",
    mode: 0,
  });
  const absent: TlsKeyFiles = {
    pgdata: "/data",
    serverUid: 101,
    serverUser: "postgres",
    files: [missing("ssl_key_file"), missing("ssl_cert_file")],
  };
  assert.deepEqual(await findings(keyFileMode, [[tlsKeyFilesFact, absent], settings({ ssl: "off" })]), []);
  const onMissing = await findings(keyFileMode, [[tlsKeyFilesFact, absent], settings({ ssl: "on" })]);
  assert.equal(onMissing.length, 2);
  assert.ok(
    onMissing.every((draft) => !draft.fix?.startsWith("chown")),
    "no chown of a file that is not there",
  );
  const spaced: TlsKeyFiles = {
    pgdata: "/my data",
    serverUid: 101,
    serverUser: "postgres",
    files: [
      {
        setting: "ssl_key_file",
        path: "server.key",
        resolved: "/my data/it's.key",
        exists: true,
        regular: true,
        uid: 101,
        owner: "postgres",
        mode: 0o644,
      },
    ],
  };
  const [quoted] = await findings(keyFileMode, [[tlsKeyFilesFact, spaced], settings({ ssl: "on" })]);
  assert.equal(
    quoted?.fix,
    "chown postgres: '/my data/it'\\''s.key' && chmod 600 '/my data/it'\\''s.key'; then SELECT pg_reload_conf();",
  );
});

const NOT_SERVED: ServedTls = {
  served: false,
  host: "127.0.0.1",
  port: 5432,
  why: '127.0.0.1:5432 answered the SSLRequest with "N" (no TLS)',
};
const SERVED: ServedTls = {
  served: true,
  host: "127.0.0.1",
  port: 5432,
  probe: { host: "127.0.0.1", port: 5432, tls: true },
};

test("tls/not-served: critical with ssl on and no TLS served, the probe's answer as evidence; silent when served or ssl off", async () => {
  const [finding, ...rest] = await findings(notServed, [
    settings({ ssl: "on", ssl_cert_file: "missing.crt" }),
    [servedTlsFact, NOT_SERVED],
  ]);
  assert.equal(rest.length, 0);
  assert.equal(finding?.message, `ssl is on but the server serves no TLS: ${NOT_SERVED.served ? "" : NOT_SERVED.why}`);
  assert.ok(
    finding?.evidence.some((entry) => entry.label === "setting ssl_cert_file" && /missing\.crt/.test(entry.value)),
  );
  assert.deepEqual(await findings(notServed, [settings({ ssl: "on" }), [servedTlsFact, SERVED]]), []);
  assert.deepEqual(await findings(notServed, [settings({ ssl: "off" }), [servedTlsFact, NOT_SERVED]]), []);
});

test("tls/host-rules-allow-plaintext: no hostssl fix while ssl is on but no TLS is served (it would lock every client out)", async () => {
  const rules = await hba("host all all 10.0.0.0/8 scram-sha-256");
  const on = settings({ ssl: "on", listen_addresses: "*" });
  assert.deepEqual(await findings(hostRulesAllowPlaintext, [on, rules, [servedTlsFact, NOT_SERVED]]), []);
  assert.equal((await findings(hostRulesAllowPlaintext, [on, rules, [servedTlsFact, SERVED]])).length, 1);
});
