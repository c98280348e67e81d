import { resolve } from "node:path";

import { findServerBinaries } from "../pg-binaries.js";
import { ensureServerCertificate } from "../server-certificate.js";
import {
  applyTls,
  checkServed,
  notServedError,
  planTls,
  reloadRejection,
  reloadServer,
  type ServerTlsMaterial,
} from "../tls-deploy.js";
import type { TlsDeployEnvironment, TlsDeployRequest } from "./deploy-request.js";
import type { PgdataTlsDeployed, PgdataTlsPlanned, PlannedServerCertificate } from "./deploy-result.js";
import { deploymentPreflight, serverMaterial, signingMaterial } from "./deployment-preflight.js";
import { installedKeyProblem } from "./key-owner.js";
import { pgdataReload } from "./reload-policy.js";
import { servedVerdict, unverifiedFailure, unverifiedHint } from "./served-verdict.js";
import { serverCertificateRequest, verifyName } from "./server-request.js";

/**
 * TLS for a cluster on this machine: the server certificate issued or kept, server.crt, server.key
 * and root.crt (and the CRL) into PGDATA, the settings into pgwarden.conf; with `reload`, pg_ctl
 * reload and a handshake that shows what is served. A dry run says what it would do.
 */
export async function deployTlsToPgdata(
  request: TlsDeployRequest & { readonly pgdata: string },
  env: TlsDeployEnvironment,
): Promise<PgdataTlsPlanned | PgdataTlsDeployed> {
  const pgdata = resolve(request.pgdata);
  const layout = env.layout();
  const { ca, crlPem, trust } = await signingMaterial(layout, env.signingCa, env.now);
  const asked = serverCertificateRequest(request, env.hostname);
  const planOptions = {
    pgdata,
    configFile: request.configFile ? resolve(request.configFile) : undefined,
    force: request.force,
  };
  const { request: certRequest, found } = await deploymentPreflight(layout, ca, asked, pgdata, env.now, trust);

  if (request.dryRun) {
    // A certificate still to be issued: plan against empty content, which differs from any file.
    const material: ServerTlsMaterial = found.usable
      ? serverMaterial(found.usable, ca, trust, crlPem)
      : serverMaterial({ certPem: "", keyPem: "" }, ca, trust, crlPem);
    const { plan } = await planTls(material, planOptions);
    const certificate: PlannedServerCertificate = {
      action: found.usable ? "kept" : found.existing ? "reissue" : "issue",
      path: found.usable?.certPath ?? found.paths.cert,
      ...(found.reason !== undefined ? { reason: found.reason } : {}),
      subjectAltNames: found.options.subjectAltNames,
    };
    return {
      via: "pgdata",
      dryRun: true,
      dataDirectory: pgdata,
      certificate,
      plan,
      wouldReload: request.reload === true,
    };
  }

  // Refuse what PostgreSQL would refuse (a key's owner, a symbolic link) before a certificate is issued.
  await planTls(serverMaterial({ certPem: "", keyPem: "" }, ca, trust, crlPem), planOptions);
  const server = await ensureServerCertificate(layout, ca, certRequest, env.now);
  const { plan, writes } = await planTls(serverMaterial(server, ca, trust, crlPem), planOptions);
  const written = await applyTls(plan, writes, env.now);
  server.backups?.forEach((backup) =>
    env.onInfo(`pgwarden: kept the previous ${backup.replace(/\.[^.]+\.bak$/, "")} as ${backup}`),
  );
  plan.overridden.forEach((name) =>
    env.onWarning(
      `postgresql.auto.conf sets ${name} (ALTER SYSTEM), which overrides pgwarden.conf: run ALTER SYSTEM RESET ${name}`,
    ),
  );
  written
    .filter((file) => file.backup)
    .forEach((file) => env.onInfo(`pgwarden: kept the previous ${file.path} as ${file.backup}`));

  const servername = verifyName(certRequest);
  const reloadAsked = request.reload === true;
  const decision = pgdataReload(reloadAsked, plan.changed);
  const reloaded =
    decision === "reload" ||
    (decision === "if-stale" &&
      (await checkServed(pgdata, server.certPem, trust.rootPem, undefined, 0, servername)).matches === false);
  if (reloaded) await reloadServer(findServerBinaries(request.pgBin).dir, pgdata, plan.owner);
  const served = await checkServed(pgdata, server.certPem, trust.rootPem, undefined, undefined, servername);
  const verdict = servedVerdict({
    running: served.running,
    ...(served.matches !== undefined ? { matches: served.matches } : {}),
    reloadAsked,
    planChanged: plan.changed,
  });
  const hint = () =>
    unverifiedHint({
      overridden: plan.overridden,
      ...(served.matches !== undefined ? { matches: served.matches } : {}),
      certPath: server.certPath,
      servername,
    });
  const failure =
    (verdict.mustVerify ? unverifiedFailure(served, servername, hint) : undefined) ??
    (verdict.notServedFails
      ? notServedError(
          served,
          await reloadRejection(pgdata, request.log),
          await installedKeyProblem(pgdata, plan.owner.uid),
        )
      : undefined);
  return {
    via: "pgdata",
    dryRun: false,
    dataDirectory: pgdata,
    certificate: server,
    plan,
    reloaded,
    served,
    servedState: verdict.state,
    ...(failure ? { failure } : {}),
  };
}
