import { stat } from "node:fs/promises";
import { join } from "node:path";

import { serverKeyProblem, TLS_FILES } from "../tls-deploy.js";

/**
 * Why PostgreSQL would refuse PGDATA's server.key (its mode or owner for a server running as
 * `serverUid`), as `server.key: ...`; undefined when it would take it or there is none.
 */
export async function installedKeyProblem(pgdata: string, serverUid: number): Promise<string | undefined> {
  const info = await stat(join(pgdata, TLS_FILES.key)).catch(() => undefined);
  const problem = info ? serverKeyProblem(info, serverUid) : undefined;
  return problem ? `${TLS_FILES.key}: ${problem}` : undefined;
}
