import { probeTls } from "../../pg/tls-probe.js";
import { type Fact, FactUnavailable } from "../fact.js";
import { PROBE_TIMEOUT_MS, probedAddress, probeFailure } from "./served-tls-probe.js";

/** The certificate a server serves on the wire, as a client's handshake receives it. */
export interface ServedCertificate {
  /** The host and port the audit connected to: what a client names for sslmode=verify-full. */
  readonly host: string;
  readonly port: number;
  /** The negotiated protocol and cipher of the audit's own handshake. */
  readonly protocol?: string;
  readonly cipher?: string;
  /** The server's own certificate, DER. */
  readonly leaf: Buffer;
  /** The certificates it sent after its own (intermediates), DER. */
  readonly chain: readonly Buffer[];
}

/**
 * The certificate served on the wire, fetched by a real handshake (SSLRequest, then TLS; no
 * credentials sent). Over a Unix socket there is no wire, and a server with ssl = off serves
 * none: both are not applicable (tls/ssl-off says the latter).
 */
export const servedCertificateFact: Fact<ServedCertificate> = {
  id: "served-certificate",
  scope: "server",
  async collect(source) {
    const { host, port } = probedAddress(
      source,
      "the audit connected over a Unix socket: audit over TCP (--conn host=ADDRESS) to check the served certificate",
    );
    const probe = await probeTls({ host, port, timeoutMs: PROBE_TIMEOUT_MS }).catch((error: unknown) => {
      throw probeFailure(error);
    });
    if (!probe.tls || !probe.certificateDer)
      throw new FactUnavailable({ kind: "not-applicable", reason: `${host}:${port} serves no TLS (ssl = off)` });
    return {
      host,
      port,
      ...(probe.protocol === undefined ? {} : { protocol: probe.protocol }),
      ...(probe.cipher === undefined ? {} : { cipher: probe.cipher }),
      leaf: probe.certificateDer,
      chain: probe.chainDer ?? [],
    };
  },
};
