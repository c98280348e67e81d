import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ensureLoginRole, connectWithCertificate, sessionTls, type SessionTls } from "../pg/cert-connection.js";
import { SANDBOX_HOST, ensureSuperuserCertificate, sandboxUp, type SandboxUpResult } from "../pg/sandbox.js";
import { initCa, type CaInitAction } from "../pki/ca-init.js";
import { readCertificateFile } from "../pki/certificate-authority.js";
import { describeCertificate, type CertificateInfo } from "../pki/certificate-info.js";
import { conninfo } from "../pki/conninfo.js";
import { issueCertificate, prepareLeaf } from "../pki/issue.js";
import { pkiLayout, type PkiLayout } from "../pki/pki-layout.js";
import { PROFILES } from "../pki/profiles.js";

export const QUICKSTART_ROLE = "dbuser_dba";

export interface QuickstartOptions {
  readonly dir: string;
  readonly role?: string;
  readonly pgBin?: string;
  readonly passphrase?: string;
  readonly now: Date;
}

export interface QuickstartResult {
  readonly dir: string;
  readonly layout: PkiLayout;
  readonly ca: { readonly action: CaInitAction; readonly info: CertificateInfo };
  readonly sandbox: SandboxUpResult;
  readonly role: { readonly name: string; readonly action: "created" | "exists" };
  readonly client: { readonly action: "issued" | "kept"; readonly certPath: string; readonly keyPath: string; readonly info: CertificateInfo };
  /** What the server says about the session node-postgres opened with the client certificate. */
  readonly session: SessionTls;
  /** A psql command line a person can paste. */
  readonly psql: string;
}

/**
 * The main job end to end: a CA, a sandbox secured from its first start, a role and its
 * client certificate, then a real verify-full connection with that certificate, whose
 * TLS facts come from the server's pg_stat_ssl. Running it again keeps what exists.
 */
export async function runQuickstart(options: QuickstartOptions): Promise<QuickstartResult> {
  const { dir, now } = options;
  const role = options.role ?? QUICKSTART_ROLE;
  // Enterable by the postgres account, which runs the sandbox below it; the PKI's own folders stay private.
  await mkdir(dir, { recursive: true, mode: 0o711 });
  const layout = pkiLayout(join(dir, "pki"));
  const init = await initCa(layout, { passphrase: options.passphrase, now });
  const sandbox = await sandboxUp(layout, init.ca, { dir: join(dir, "sandbox"), pgBin: options.pgBin, now });
  const { state } = sandbox;
  const server = { host: SANDBOX_HOST, port: state.port, caCertPath: layout.caCert };

  const admin = await ensureSuperuserCertificate(layout, init.ca, state.superuser, now);
  const adminClient = await connectWithCertificate({ ...server, user: state.superuser, ...admin });
  let roleAction: "created" | "exists";
  try {
    roleAction = await ensureLoginRole(adminClient, role);
  } finally {
    await adminClient.end();
  }

  const { paths } = prepareLeaf(layout, { profile: PROFILES.client, commonName: role });
  const present = await stat(paths.cert).then(
    () => true,
    () => false,
  );
  if (!present) await issueCertificate(layout, init.ca, { profile: PROFILES.client, commonName: role }, now);
  const { der } = await readCertificateFile(paths.cert, "client certificate");

  const client = await connectWithCertificate({ ...server, user: role, certPath: paths.cert, keyPath: paths.key });
  let session: SessionTls;
  try {
    session = await sessionTls(client);
  } finally {
    await client.end();
  }
  const psql = `psql "${conninfo({ host: SANDBOX_HOST, port: state.port, dbname: "postgres", user: role, sslmode: "verify-full", sslrootcert: layout.caCert, sslcert: paths.cert, sslkey: paths.key })}"`;
  return {
    dir,
    layout,
    ca: { action: init.action, info: describeCertificate(init.ca.der, now) },
    sandbox,
    role: { name: role, action: roleAction },
    client: { action: present ? "kept" : "issued", certPath: paths.cert, keyPath: paths.key, info: describeCertificate(der, now) },
    session,
    psql,
  };
}
