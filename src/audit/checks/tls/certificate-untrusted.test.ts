import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { runOnFacts } from "../../../../test/support/literal-facts.js";
import { type Fixture, makeCertificate } from "../../../../test/support/x509-fixtures.js";
import { servedCertificateFact } from "../../facts/served-certificate.js";
import { tlsTrustAnchorsFact } from "../../facts/tls-trust-anchors.js";
import { certificateUntrusted } from "./certificate-untrusted.js";

const NOW = new Date();

/**
 * `openssl verify -purpose sslserver` at the current time: the errors it prints (`error N at D depth lookup`), none
 * when it prints OK. It goes on past an expired certificate, so every error of the chain is listed.
 */
async function opensslErrors(
  leaf: Fixture,
  chain: readonly Fixture[],
  anchors: readonly Fixture[],
): Promise<{ code: number; depth: number }[]> {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-untrusted-"));
  try {
    await writeFile(join(dir, "leaf.pem"), leaf.pem);
    await writeFile(join(dir, "ca.pem"), anchors.map((cert) => cert.pem).join(""));
    await writeFile(join(dir, "chain.pem"), chain.map((cert) => cert.pem).join(""));
    const args = ["verify", "-purpose", "sslserver", "-CAfile", join(dir, "ca.pem")];
    if (chain.length > 0) args.push("-untrusted", join(dir, "chain.pem"));
    return await new Promise((resolve, reject) =>
      execFile("openssl", [...args, join(dir, "leaf.pem")], (error, stdout, stderr) => {
        const errors = [...`${stdout}${stderr}`.matchAll(/error (\d+) at (\d+) depth lookup/g)].map((match) => ({
          code: Number(match[1]),
          depth: Number(match[2]),
        }));
        if (!error && /: OK$/m.test(stdout)) resolve([]);
        else if (errors.length > 0) resolve(errors);
        else reject(new Error(`openssl verify said neither OK nor an error: ${stdout}${stderr}`));
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED: at depth 0 they are tls/certificate-expired's. */
const LEAF_DATE_ERRORS = new Set([9, 10]);

test("tls/certificate-untrusted fires exactly where openssl verify -purpose sslserver refuses the served chain at the audit's time, the leaf's own dates aside", async () => {
  const root = await makeCertificate({ name: "CN=root" }, NOW);
  const other = await makeCertificate({ name: "CN=other root" }, NOW);
  const intermediate = await makeCertificate({ name: "CN=server ca", issuer: root, pathLen: 0 }, NOW);
  const stale = await makeCertificate(
    { name: "CN=stale ca", issuer: root, pathLen: 0, notBeforeDays: -60, notAfterDays: -1 },
    NOW,
  );
  const young = await makeCertificate({ name: "CN=young root", notBeforeDays: -1, notAfterDays: 3650 }, NOW);
  const brief = await makeCertificate(
    { name: "CN=brief ca", issuer: root, pathLen: 0, notBeforeDays: -10, notAfterDays: 2 },
    NOW,
  );
  const notCa = await makeCertificate({ name: "CN=not a ca", issuer: root, ca: false }, NOW);
  const cases: { name: string; leaf: Fixture; chain: Fixture[]; anchors: Fixture[] }[] = [
    {
      name: "leaf of the root",
      leaf: await makeCertificate({ name: "CN=a", issuer: root }, NOW),
      chain: [],
      anchors: [root],
    },
    {
      name: "leaf of another root",
      leaf: await makeCertificate({ name: "CN=b", issuer: other }, NOW),
      chain: [],
      anchors: [root],
    },
    {
      name: "two anchors, one of them",
      leaf: await makeCertificate({ name: "CN=c", issuer: other }, NOW),
      chain: [],
      anchors: [root, other],
    },
    {
      name: "through an intermediate it sends",
      leaf: await makeCertificate({ name: "CN=d", issuer: intermediate }, NOW),
      chain: [intermediate],
      anchors: [root],
    },
    {
      name: "through an intermediate it does not send",
      leaf: await makeCertificate({ name: "CN=e", issuer: intermediate }, NOW),
      chain: [],
      anchors: [root],
    },
    {
      name: "through an expired intermediate",
      leaf: await makeCertificate({ name: "CN=f", issuer: stale, notBeforeDays: -30, notAfterDays: 30 }, NOW),
      chain: [stale],
      anchors: [root],
    },
    {
      name: "issued by a certificate that is no CA",
      leaf: await makeCertificate({ name: "CN=g", issuer: notCa }, NOW),
      chain: [notCa],
      anchors: [root],
    },
    {
      name: "a client-only certificate",
      leaf: await makeCertificate({ name: "CN=h", issuer: root, extKeyUsage: ["clientAuth"] }, NOW),
      chain: [],
      anchors: [root],
    },
    { name: "self-signed, pinned", leaf: other, chain: [], anchors: [other] },
    {
      name: "an expired leaf of the root",
      leaf: await makeCertificate({ name: "CN=i", issuer: root, notBeforeDays: -30, notAfterDays: -2 }, NOW),
      chain: [],
      anchors: [root],
    },
    {
      name: "a not-yet-valid leaf of the root",
      leaf: await makeCertificate({ name: "CN=j", issuer: root, notBeforeDays: 2, notAfterDays: 30 }, NOW),
      chain: [],
      anchors: [root],
    },
    {
      name: "an expired leaf of a CA made after it expired (the review's RevCA)",
      leaf: await makeCertificate({ name: "CN=k", issuer: young, notBeforeDays: -30, notAfterDays: -5 }, NOW),
      chain: [],
      anchors: [young],
    },
    {
      name: "a not-yet-valid leaf of a CA that expires before it starts",
      leaf: await makeCertificate({ name: "CN=l", issuer: brief, notBeforeDays: 5, notAfterDays: 30 }, NOW),
      chain: [brief],
      anchors: [root],
    },
    {
      name: "an expired leaf through an expired intermediate",
      leaf: await makeCertificate({ name: "CN=m", issuer: stale, notBeforeDays: -30, notAfterDays: -3 }, NOW),
      chain: [stale],
      anchors: [root],
    },
  ];
  const outcomes: boolean[] = [];
  for (const entry of cases) {
    const { drafts } = await runOnFacts(
      certificateUntrusted,
      [
        [
          servedCertificateFact,
          { host: "127.0.0.1", port: 5432, leaf: entry.leaf.der, chain: entry.chain.map((cert) => cert.der) },
        ],
        [tlsTrustAnchorsFact, { from: "--ca", certificates: entry.anchors.map((cert) => cert.der) }],
      ],
      NOW,
    );
    const errors = await opensslErrors(entry.leaf, entry.chain, entry.anchors);
    // The leaf's own dates are another check's: openssl's verdict without them.
    const openssl = errors.every((error) => error.depth === 0 && LEAF_DATE_ERRORS.has(error.code));
    assert.equal(
      drafts.length === 0,
      openssl,
      `${entry.name}: pgwarden ${drafts[0]?.message ?? "trusts"}, openssl ${JSON.stringify(errors)}`,
    );
    outcomes.push(openssl);
  }
  assert.ok(outcomes.includes(true) && outcomes.includes(false), "the table has both verdicts");
});
