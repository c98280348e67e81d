import { usageError } from "../../core/errors.js";

/** Where `pg tls` puts TLS: a cluster's data directory here, a running server over a connection, or lines for another program. */
export type TlsDeployMode = "pgdata" | "conn" | "print";

/** The mode the request names; exactly one of them, else a usage error (exit 2). */
export function tlsDeployMode(request: {
  readonly pgdata?: string;
  readonly conn?: string;
  readonly print?: string;
}): TlsDeployMode {
  const given = (["pgdata", "conn", "print"] as const).filter((mode) => request[mode] !== undefined);
  const [only] = given;
  if (given.length !== 1 || only === undefined)
    throw usageError(
      "pg-tls-mode",
      "give exactly one of --pgdata DIR (a cluster on this machine), --conn URL (a running server, as a superuser) or --print pgbouncer|patroni|etcd",
    );
  return only;
}
