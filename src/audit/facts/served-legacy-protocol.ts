import { PgwardenError } from "../../core/errors.js";
import { probeTls } from "../../pg/tls-probe.js";
import { type Fact, FactUnavailable } from "../fact.js";
import { PROBE_TIMEOUT_MS, requireServedTls } from "./served-tls.js";
import { settingsFact, settingValue } from "./settings.js";

/** Whether the server completes a handshake at TLS 1.0 or 1.1 when a client offers only those. */
export interface ServedLegacyProtocol {
  readonly accepted: boolean;
  /** The version negotiated, when accepted. */
  readonly protocol?: string;
  /** Why the handshake failed, when refused (OpenSSL's words). */
  readonly refusal?: string;
}

/** TLS below 1.2 needs OpenSSL's security level 0 on the client side too (OpenSSL 3). */
const LEGACY_CLIENT_CIPHERS = "DEFAULT:@SECLEVEL=0";

/**
 * The real answer to "does this server accept TLS below 1.2": a handshake offering only TLS 1.0
 * and 1.1. ssl_min_protocol_version alone does not decide it, since OpenSSL 3 at security level 1
 * and above refuses those versions whatever PostgreSQL allows. Probed only when the setting
 * allows them (otherwise the server refuses anyway); not applicable over a Unix socket.
 */
export const servedLegacyProtocolFact: Fact<ServedLegacyProtocol> = {
  id: "served-legacy-protocol",
  scope: "server",
  async collect(source) {
    const { host, port, socket } = source.connection;
    if (socket)
      throw new FactUnavailable({
        kind: "not-applicable",
        reason: "over a Unix socket there is no TLS handshake to try",
      });
    const minimum = settingValue(await source.get(settingsFact), "ssl_min_protocol_version");
    if (minimum === "TLSv1.2" || minimum === "TLSv1.3")
      throw new FactUnavailable({ kind: "not-applicable", reason: `ssl_min_protocol_version is ${minimum}` });
    // No TLS at all is not "legacy refused": tls/not-served (or tls/ssl-off) says it, this check cannot judge.
    await requireServedTls(source);
    try {
      const probe = await probeTls({
        host,
        port,
        timeoutMs: PROBE_TIMEOUT_MS,
        minVersion: "TLSv1",
        maxVersion: "TLSv1.1",
        ciphers: LEGACY_CLIENT_CIPHERS,
      });
      if (!probe.tls) throw new FactUnavailable({ kind: "not-applicable", reason: "the server serves no TLS" });
      return { accepted: true, ...(probe.protocol === undefined ? {} : { protocol: probe.protocol }) };
    } catch (error) {
      if (error instanceof PgwardenError && /TLS handshake failed/.test(error.message))
        return { accepted: false, refusal: error.message.replace(/^.*TLS handshake failed: /, "") };
      if (error instanceof PgwardenError) throw new FactUnavailable({ kind: "failed", reason: error.message });
      throw error;
    }
  },
};
