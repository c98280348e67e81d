import { tlsDeployMode } from "./deploy-mode.js";
import { deployTlsOverConnection } from "./deploy-over-connection.js";
import type { TlsDeployEnvironment, TlsDeployRequest } from "./deploy-request.js";
import type { TlsDeployResult } from "./deploy-result.js";
import { deployTlsToPgdata } from "./deploy-to-pgdata.js";
import { hostSnippet } from "./host-snippet.js";

/**
 * `pg tls`: deploy TLS into a cluster here (pgdata), into a running server (conn), or give
 * another program's TLS lines (print), as the request's one mode says (exit 2 otherwise). What
 * cannot be done is thrown (a PgwardenError) before anything is written; a deployment that went
 * through but is not served or does not verify comes back with its `failure`, to show first.
 */
export async function deployTls(request: TlsDeployRequest, env: TlsDeployEnvironment): Promise<TlsDeployResult> {
  switch (tlsDeployMode(request)) {
    case "print": {
      const target = request.print as NonNullable<TlsDeployRequest["print"]>;
      const snippet = await hostSnippet(
        env.layout(),
        {
          target,
          host: request.cn ?? env.hostname,
          ...(request.group !== undefined ? { group: request.group } : {}),
          ...(request.clientCn !== undefined ? { clientCn: request.clientCn } : {}),
          ...(request.clientGroup !== undefined ? { clientGroup: request.clientGroup } : {}),
        },
        env.onWarning,
      );
      return { via: "print", snippet };
    }
    case "conn":
      return deployTlsOverConnection({ ...request, conn: request.conn as string }, env);
    case "pgdata":
      return deployTlsToPgdata({ ...request, pgdata: request.pgdata as string }, env);
  }
}
