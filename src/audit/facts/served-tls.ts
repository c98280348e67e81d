import { PgwardenError } from "../../core/errors.js";
import { probeTls, type TlsProbe } from "../../pg/tls-probe.js";
import { type Fact, type FactSource, FactUnavailable, type ServerSource } from "../fact.js";
import { settingsFact, settingValue } from "./settings.js";

/** Whether the server completed a TLS handshake with a client that asked for one (SSLRequest, then TLS). */
export type ServedTls =
  | { readonly served: true; readonly host: string; readonly port: number; readonly probe: TlsProbe }
  /** `why`: the server's answer ("N" to the SSLRequest) or the handshake's failure, in OpenSSL's words. */
  | { readonly served: false; readonly host: string; readonly port: number; readonly why: string };

/** How long a handshake of the audit may take: a server that answers at all answers in milliseconds. */
export const PROBE_TIMEOUT_MS = 3000;

/**
 * One handshake as libpq's sslmode=require makes it, no credentials sent: does the server serve
 * TLS at all? `show ssl` alone does not say: a reload that could not load the certificate or key
 * leaves ssl on while the server answers every SSLRequest with "N". Over a Unix socket there is
 * no wire: the checks that need one are listed as not run, saying so; a server that cannot be
 * reached at all makes the fact failed.
 */
export const servedTlsFact: Fact<ServedTls> = {
  id: "served-tls",
  scope: "server",
  async collect(source) {
    const { host, port, socket } = source.connection;
    // Not silently skipped: what a server serves on the network is a finding waiting to be made; the report says
    // these checks did not run, and how to run them.
    if (socket)
      throw new FactUnavailable({
        kind: "failed",
        reason: "the audit connected over a Unix socket: audit over TCP (--conn host=ADDRESS) to check what is served",
      });
    try {
      const probe = await probeTls({ host, port, timeoutMs: PROBE_TIMEOUT_MS });
      if (!probe.tls)
        return { served: false, host, port, why: `${host}:${port} answered the SSLRequest with "N" (no TLS)` };
      return { served: true, host, port, probe };
    } catch (error) {
      if (error instanceof PgwardenError && /TLS handshake failed/.test(error.message))
        return { served: false, host, port, why: error.message };
      if (error instanceof PgwardenError) throw new FactUnavailable({ kind: "failed", reason: error.message });
      throw error;
    }
  },
};

/**
 * The served TLS, for a fact that needs a handshake: when none is served, why the checks that
 * judge it cannot run. With ssl off that is tls/ssl-off's to say (not applicable); with ssl on
 * it is a fault tls/not-served reports, and these checks are listed as not run with the reason.
 */
export async function requireServedTls(
  source: Extract<FactSource, ServerSource>,
): Promise<Extract<ServedTls, { served: true }>> {
  const served = await source.get(servedTlsFact);
  if (served.served) return served;
  const ssl = settingValue(await source.get(settingsFact), "ssl");
  if (ssl !== "on")
    throw new FactUnavailable({
      kind: "not-applicable",
      reason: `${served.host}:${served.port} serves no TLS (ssl = off)`,
    });
  throw new FactUnavailable({
    kind: "failed",
    reason: `ssl is on but the server serves no TLS (tls/not-served): ${served.why}`,
  });
}
