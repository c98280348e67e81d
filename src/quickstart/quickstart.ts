import { existsSync } from "node:fs";
import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

import type pg from "pg";

import type { Inventory } from "../config/inventory.js";
import { loadInventory } from "../config/load-inventory.js";
import type { Finding } from "../core/finding.js";
import { applyHba, type ApplyResult, connectionTarget } from "../hba/apply.js";
import { explainConnection, readServerFacts } from "../hba/explain/index.js";
import type { HbaRule } from "../hba/model.js";
import { renderedFileName } from "../hba/rendered-file.js";
import { connectWithCertificate, ensureLoginRole, type SessionTls, sessionTls } from "../pg/cert-connection.js";
import { connectVerified } from "../pg/connect.js";
import { ensureSuperuserCertificate, SANDBOX_HOST, sandboxUp, type SandboxUpResult } from "../pg/sandbox.js";
import { type CaInitAction, initCa } from "../pki/authority/ca-init.js";
import { type CertificateAuthority, readCertificateFile } from "../pki/authority/certificate-authority.js";
import { createIntermediate } from "../pki/authority/intermediate-create.js";
import { issuerNameFor, loadIssuerFor } from "../pki/authority/issuer-loader.js";
import { DEFAULT_INTERMEDIATES, issuerFiles, ROOT_ISSUER } from "../pki/authority/issuers.js";
import { writeTrustedRoots } from "../pki/authority/trust-anchors.js";
import { type CertificateInfo, describeCertificate } from "../pki/inspect/certificate-info.js";
import { issueCertificate, prepareLeaf } from "../pki/issuing/issue.js";
import { PROFILES } from "../pki/issuing/profiles.js";
import { type PkiLayout, pkiLayout } from "../pki/pki-layout.js";
import { conninfo, psqlCommand } from "../pki/trust/conninfo.js";
import { applyRoles } from "../roles/apply-roles.js";
import { checkDeclaredPasswords } from "../roles/declared-password-policy.js";
import type { RoleChange } from "../roles/role-change.js";
import { desiredRoleModel } from "../roles/role-model.js";
import { checkQuickstartInputs } from "./quickstart-inputs.js";
import { auditSandbox, type QuickstartAudit } from "./sandbox-audit.js";
import {
  ensureSandboxInventory,
  SAMPLE_APP_USER,
  SANDBOX_CLUSTER,
  type SandboxInventory,
} from "./sandbox-inventory.js";
import { sandboxRules } from "./sandbox-rules.js";

export const QUICKSTART_ROLE = "dbuser_dba";
/** Where the sandbox listens, and so where its clients connect from. */
const SANDBOX_ADDRESS = "127.0.0.1";

export interface QuickstartOptions {
  readonly dir: string;
  readonly role?: string;
  readonly pgBin?: string;
  readonly passphrase?: string;
  readonly now: Date;
  /** For the inventory's `{env: ...}` passwords; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** pgwarden's version, written into the audit's report. */
  readonly version?: string;
}

/** The sandbox's access rules, rendered from the inventory, linted, and installed. */
export interface QuickstartHba {
  /** The rendered file's name in messages (`pg-sandbox-1.pg_hba.conf`). */
  readonly name: string;
  readonly rules: readonly HbaRule[];
  /** What `hba lint` says of them: nothing, for the quickstart's own inventory. */
  readonly findings: readonly Finding[];
  readonly applied: ApplyResult;
}

/** The role model and users of the inventory, made so in one transaction. */
export interface QuickstartRoles {
  /** The statements that ran, passwords masked; none on a second run. */
  readonly changes: readonly Pick<RoleChange, "kind" | "role" | "summary" | "sql">[];
  readonly warnings: readonly string[];
}

export interface QuickstartResult {
  readonly dir: string;
  readonly layout: PkiLayout;
  readonly ca: {
    readonly action: CaInitAction;
    readonly info: CertificateInfo;
    /** The intermediates this run made (a new PKI gets `server` and `client`); empty when the PKI was there. */
    readonly intermediatesCreated: readonly string[];
    /** The issuers of the sandbox's server certificate and of its login certificates (`ca` for the root). */
    readonly issuers: { readonly server: string; readonly client: string };
  };
  readonly sandbox: SandboxUpResult;
  readonly inventory: SandboxInventory;
  readonly hba: QuickstartHba;
  readonly roles: QuickstartRoles;
  readonly role: { readonly name: string; readonly action: "created" | "exists" };
  readonly client: {
    readonly action: "issued" | "kept";
    readonly certPath: string;
    readonly keyPath: string;
    readonly info: CertificateInfo;
  };
  /** What the server says about the session node-postgres opened with the client certificate. */
  readonly session: SessionTls;
  /** A psql command line a person can paste. */
  readonly psql: string;
  /** The sample application user's own login; absent when the inventory gives it no plaintext password. */
  readonly app?: QuickstartApp;
  /** The audit of the sandbox it ends with (pgwarden audit --pgdata): scores per layer and the HTML report. */
  readonly audit: QuickstartAudit;
}

/**
 * The sample application user's own login, with its password over TLS and no certificate:
 * the session as the server saw it, and the rule that let it in (as `hba explain` finds it).
 */
export interface QuickstartApp {
  readonly user: string;
  /** Where the password came from (`pg_users (file ...)`), never the password. */
  readonly passwordFrom: string;
  readonly session: SessionTls;
  readonly rule?: HbaRule;
}

/** The inventory's rules for the sandbox: rendered, linted as `hba lint --inventory` lints them, then installed where PostgreSQL's verdict comes first. */
async function installRules(
  admin: pg.Client,
  reconnect: () => Promise<pg.Client>,
  inventory: Inventory,
  now: Date,
): Promise<QuickstartHba> {
  const { rendered, rules, findings } = await sandboxRules(inventory, SANDBOX_ADDRESS);
  // With a way to log in again, apply proves after the reload that the new rules still let the admin in.
  const applied = await applyHba(await connectionTarget(admin, reconnect), rendered.text, now);
  return { name: renderedFileName(rendered), rules, findings, applied };
}

/**
 * The inventory's role model and users, applied in one transaction (passwords as SCRAM
 * verifiers), and the sample user's password as the model read it (from the inventory,
 * its `{env}` or its `{file}`), to log in with; never part of the result.
 */
async function applyInventoryRoles(
  admin: pg.Client,
  inventory: Inventory,
  env: NodeJS.ProcessEnv,
  now: Date,
): Promise<{ roles: QuickstartRoles; app?: { password: string; from: string } }> {
  const model = await desiredRoleModel(inventory, SANDBOX_CLUSTER, { env, now });
  checkDeclaredPasswords(model);
  const { applied, plan } = await applyRoles(admin, model);
  const declared = model.roles.find((entry) => entry.name === SAMPLE_APP_USER)?.password;
  return {
    // plan.warnings already holds the model's.
    roles: {
      changes: applied.map(({ kind, role, summary, sql }) => ({ kind, role, summary, sql })),
      warnings: plan.warnings,
    },
    ...(declared?.kind === "plaintext" ? { app: { password: declared.value, from: declared.from } } : {}),
  };
}

/**
 * The main job end to end: every input checked before anything is made (checkQuickstartInputs),
 * then a CA, a sandbox secured from its first start, its access rules
 * and roles from an inventory (rendered, linted and applied), a role and its client
 * certificate, then real verify-full connections (the certificate; the application user's
 * password over TLS) whose TLS facts come from the server's pg_stat_ssl, and last the audit of
 * the sandbox (scores per layer, an HTML report in `dir`). Running it again keeps what exists,
 * and follows the inventory when a person has edited it.
 */
export async function runQuickstart(options: QuickstartOptions): Promise<QuickstartResult> {
  const { dir, now } = options;
  const role = options.role ?? QUICKSTART_ROLE;
  const env = options.env ?? process.env;
  await checkQuickstartInputs({ dir, role, pgBin: options.pgBin, now, env, address: SANDBOX_ADDRESS });
  // Enterable by the postgres account, which runs the sandbox below it; the PKI's own folders stay private.
  await mkdir(dir, { recursive: true, mode: 0o711 });
  const layout = pkiLayout(join(dir, "pki"));
  const init = await initCa(layout, { passphrase: options.passphrase, now });
  // Secure by default: a new PKI gets the server and client intermediates (ca init --intermediates), so the sandbox
  // lets in only certificates of the client one. An existing PKI is used as it is.
  const intermediates =
    init.action === "created" ? await createDefaultIntermediates(layout, options.passphrase, now) : [];
  // With intermediates the server trusts the client issuer alone: every login certificate must come from it.
  const issuers = await quickstartIssuers(layout, init.ca, options.passphrase, now);
  const sandbox = await sandboxUp(layout, issuers.server, {
    dir: join(dir, "sandbox"),
    pgBin: options.pgBin,
    now,
    clientCa: issuers.client,
  });
  const { state } = sandbox;
  // During a CA rotation, ca/roots.crt (the new root and the old): the server's certificate verifies under either.
  const server = { host: SANDBOX_HOST, port: state.port, caCertPath: await writeTrustedRoots(layout) };

  const inventory = await ensureSandboxInventory(dir, state.superuser);
  const admin = await ensureSuperuserCertificate(layout, issuers.client, state.superuser, now);
  const adminClient = await connectWithCertificate({ ...server, user: state.superuser, ...admin });
  let roleAction: "created" | "exists";
  let hba: QuickstartHba;
  let roles: QuickstartRoles;
  let appLogin: { password: string; from: string } | undefined;
  try {
    // Roles first: the rules name them, and the superuser's certificate rule is in both the old and the new file.
    const declared = await loadInventory(inventory.path);
    ({ roles, app: appLogin } = await applyInventoryRoles(adminClient, declared, env, now));
    hba = await installRules(
      adminClient,
      () => connectWithCertificate({ ...server, user: state.superuser, ...admin }),
      declared,
      now,
    );
    roleAction = roles.changes.some((change) => change.kind === "create-role" && change.role === role)
      ? "created"
      : await ensureLoginRole(adminClient, role);
  } finally {
    await adminClient.end();
  }

  const { paths } = prepareLeaf(layout, { profile: PROFILES.client, commonName: role });
  const present = await stat(paths.cert).then(
    () => true,
    () => false,
  );
  if (!present) await issueCertificate(layout, issuers.client, { profile: PROFILES.client, commonName: role }, now);
  const { der } = await readCertificateFile(paths.cert, "client certificate");

  const client = await connectWithCertificate({ ...server, user: role, certPath: paths.cert, keyPath: paths.key });
  let session: SessionTls;
  try {
    session = await sessionTls(client);
  } finally {
    await client.end();
  }
  // Quoted for a shell as the path needs: a "$" or a quote in --dir must not break the pasted line.
  const login = { host: SANDBOX_HOST, port: state.port, dbname: "postgres", user: role, sslmode: "verify-full" };
  const psql = psqlCommand(
    conninfo({ ...login, sslrootcert: server.caCertPath, sslcert: paths.cert, sslkey: paths.key }),
  );

  const app = appLogin ? await proveAppLogin(server, hba.rules, appLogin) : undefined;
  // Last, once everything is in place: what an auditor would find on the sandbox as it is now.
  const audit = await auditSandbox({
    dir,
    host: SANDBOX_HOST,
    port: state.port,
    superuser: state.superuser,
    login: admin,
    caCertPath: server.caCertPath,
    pgdata: state.pgdata,
    now,
    version: options.version ?? "unknown",
  });
  return {
    dir,
    layout,
    ca: {
      action: init.action,
      info: describeCertificate(init.ca.der, now),
      intermediatesCreated: intermediates,
      issuers: { server: issuers.server.issuerName ?? ROOT_ISSUER, client: issuers.client.issuerName ?? ROOT_ISSUER },
    },
    sandbox,
    inventory,
    hba,
    roles,
    role: { name: role, action: roleAction },
    client: {
      action: present ? "kept" : "issued",
      certPath: paths.cert,
      keyPath: paths.key,
      info: describeCertificate(der, now),
    },
    session,
    psql,
    app,
    audit,
  };
}

/** The default intermediates (`server`, `client`) a PKI lacks, made under its root. */
async function createDefaultIntermediates(
  layout: PkiLayout,
  passphrase: string | undefined,
  now: Date,
): Promise<string[]> {
  const made: string[] = [];
  for (const name of DEFAULT_INTERMEDIATES) {
    if (existsSync(issuerFiles(layout, name).certPath)) continue;
    await createIntermediate(layout, { name, passphrase, now });
    made.push(name);
  }
  return made;
}

/** The issuers of the sandbox's server certificate and of its login certificates: the intermediates when present, else the root. */
async function quickstartIssuers(
  layout: PkiLayout,
  root: CertificateAuthority,
  passphrase: string | undefined,
  now: Date,
): Promise<{ server: CertificateAuthority; client: CertificateAuthority }> {
  const load = async (profile: "server" | "client") =>
    (await issuerNameFor(layout, profile)) === ROOT_ISSUER ? root : loadIssuerFor(layout, profile, { passphrase, now });
  return { server: await load("server"), client: await load("client") };
}

/** The sample user logs in with its password over verify-full TLS; the server says how the session is, explain which rule let it in. */
async function proveAppLogin(
  server: { host: string; port: number; caCertPath: string },
  rules: readonly HbaRule[],
  login: { password: string; from: string },
): Promise<QuickstartApp> {
  const ca = await readFile(server.caCertPath, "utf8");
  const client = await connectVerified(
    { ...server, user: SAMPLE_APP_USER, ca, password: login.password },
    "its password",
  );
  try {
    const session = await sessionTls(client);
    const facts = await readServerFacts(client, SAMPLE_APP_USER);
    const explained = explainConnection(
      rules,
      {
        user: SAMPLE_APP_USER,
        database: "postgres",
        address: SANDBOX_ADDRESS,
        ssl: session.ssl,
        memberOf: facts.memberOf,
      },
      { server: facts.server, roleExists: facts.roleExists },
    );
    return { user: SAMPLE_APP_USER, passwordFrom: login.from, session, rule: explained.first?.rule };
  } finally {
    await client.end();
  }
}
