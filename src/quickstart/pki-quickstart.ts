import { access } from "node:fs/promises";
import { join } from "node:path";
import { initCa, type CaInitAction } from "../pki/ca-init.js";
import { readCertificateFile } from "../pki/certificate-authority.js";
import { describeCertificate, type CertificateInfo } from "../pki/certificate-info.js";
import { issueCertificate, prepareLeaf } from "../pki/issue.js";
import { pkiLayout, type PkiLayout } from "../pki/pki-layout.js";
import { PROFILES, type Profile } from "../pki/profiles.js";
import { verifyCertificate, type VerifyResult } from "../pki/verify.js";

export const QUICKSTART_SERVER_CN = "localhost";
export const QUICKSTART_SERVER_SANS = ["localhost", "127.0.0.1", "::1"] as const;
export const QUICKSTART_ROLE = "dbuser_dba";

export interface QuickstartCertificate {
  readonly profile: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Issued now, or kept from an earlier run. */
  readonly action: "issued" | "kept";
  readonly info: CertificateInfo;
  readonly verification: VerifyResult;
}

export interface PkiQuickstartResult {
  readonly layout: PkiLayout;
  readonly ca: { readonly action: CaInitAction; readonly info: CertificateInfo };
  readonly certificates: QuickstartCertificate[];
}

async function ensureLeaf(layout: PkiLayout, ca: Awaited<ReturnType<typeof initCa>>["ca"], profile: Profile, cn: string, sans: readonly string[], now: Date): Promise<QuickstartCertificate> {
  const { paths } = prepareLeaf(layout, { profile, commonName: cn, subjectAltNames: sans });
  const exists = await access(paths.cert).then(
    () => true,
    () => false,
  );
  if (!exists) await issueCertificate(layout, ca, { profile, commonName: cn, subjectAltNames: sans }, now);
  const { der } = await readCertificateFile(paths.cert, `${profile.name} certificate`);
  const purpose = profile.name === "client" ? "client" : "server";
  return {
    profile: profile.name,
    certPath: paths.cert,
    keyPath: paths.key,
    action: exists ? "kept" : "issued",
    info: describeCertificate(der, now),
    verification: verifyCertificate(der, { roots: [ca.der], purpose, host: purpose === "server" ? "127.0.0.1" : undefined, now }),
  };
}

/**
 * The PKI half of quickstart: a CA, a server certificate for loopback and a client
 * certificate for the DBA role, each verified. Running it again keeps what exists.
 */
export async function runPkiQuickstart(dir: string, now: Date = new Date()): Promise<PkiQuickstartResult> {
  const layout = pkiLayout(join(dir, "pki"));
  const init = await initCa(layout, { now });
  const server = await ensureLeaf(layout, init.ca, PROFILES.server, QUICKSTART_SERVER_CN, QUICKSTART_SERVER_SANS, now);
  const client = await ensureLeaf(layout, init.ca, PROFILES.client, QUICKSTART_ROLE, [], now);
  return { layout, ca: { action: init.action, info: describeCertificate(init.ca.der, now) }, certificates: [server, client] };
}
