import { resolve } from "node:path";

import { usageError } from "../../core/errors.js";
import { alterSystem, configErrors, reloadConf, serverFacts } from "../alter-system.js";
import { connectSuperuser } from "../connect.js";
import { readPostmasterPid } from "../postmaster.js";
import { ensureServerCertificate } from "../server-certificate.js";
import { applyTls, checkServed, notServedError, planTls, reloadRejection } from "../tls-deploy.js";
import type { TlsDeployEnvironment, TlsDeployRequest } from "./deploy-request.js";
import type { ConnTlsDeployed, ConnTlsPlanned } from "./deploy-result.js";
import { deploymentPreflight, serverMaterial, signingMaterial } from "./deployment-preflight.js";
import { connReloads } from "./reload-policy.js";
import { unverifiedFailure } from "./served-verdict.js";
import { serverCertificateRequest, verifyName } from "./server-request.js";

/**
 * TLS for a running server reached as a superuser: the files where its data_directory is (which
 * must be on this machine), the settings through ALTER SYSTEM, pg_reload_conf() when anything
 * changed, and a handshake that shows what is served. The connection is closed before this returns.
 */
export async function deployTlsOverConnection(
  request: TlsDeployRequest & { readonly conn: string },
  env: TlsDeployEnvironment,
): Promise<ConnTlsPlanned | ConnTlsDeployed> {
  const layout = env.layout();
  const { ca, crlPem, trust } = await signingMaterial(layout, env.signingCa, env.now);
  const client = await connectSuperuser(request.conn, env.connect);
  try {
    const facts = await serverFacts(client);
    const pgdata = facts.dataDirectory;
    if (!(await readPostmasterPid(pgdata))) {
      throw usageError(
        "not-local",
        `the server's data directory ${pgdata} is not on this machine (or not readable here): run pgwarden on the database host`,
      );
    }
    const asked = serverCertificateRequest(request, env.hostname);
    const { request: certRequest, found } = await deploymentPreflight(layout, ca, asked, pgdata, env.now, trust);
    const planOptions = { pgdata, force: request.force, settingsVia: "alter-system" as const };
    if (request.dryRun) {
      const material = found.usable ?? { certPem: "", keyPem: "" };
      const { plan } = await planTls(serverMaterial(material, ca, trust, crlPem), planOptions);
      const settingsChanged = await alterSystem(client, plan.settings, true);
      return { via: "conn", dryRun: true, dataDirectory: pgdata, plan, alterSystem: settingsChanged };
    }

    // Refuse what PostgreSQL would refuse (a key's owner, a symbolic link) before a certificate is issued.
    await planTls(serverMaterial({ certPem: "", keyPem: "" }, ca, trust, crlPem), planOptions);
    const server = await ensureServerCertificate(layout, ca, certRequest, env.now);
    const { plan, writes } = await planTls(serverMaterial(server, ca, trust, crlPem), planOptions);
    const settingsChanged = await alterSystem(client, plan.settings, false);
    await applyTls(plan, writes, env.now);
    const reloaded = connReloads(plan.changed, settingsChanged);
    if (reloaded) await reloadConf(client);
    const servername = verifyName(certRequest);
    const served = await checkServed(pgdata, server.certPem, trust.rootPem, undefined, undefined, servername);
    let failure;
    if (!served.matches) {
      const { errors, logFile } = await configErrors(client);
      const rejection = errors[0] ?? (await reloadRejection(pgdata, logFile ? resolve(pgdata, logFile) : undefined));
      failure = notServedError(served, rejection);
    } else {
      failure = unverifiedFailure(
        served,
        servername,
        () => `pgwarden cert verify ${server.certPath} --purpose server --host ${servername} says why`,
      );
    }
    return {
      via: "conn",
      dryRun: false,
      dataDirectory: pgdata,
      certificate: server,
      plan,
      alterSystem: settingsChanged,
      reloaded,
      served,
      ...(failure ? { failure } : {}),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
