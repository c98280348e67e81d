import { type Fact, FactUnavailable } from "../fact.js";
import { requireServedTls } from "./served-tls.js";

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
 * The certificate served on the wire, from the handshake of the served-tls fact (SSLRequest,
 * then TLS; no credentials sent). Over a Unix socket there is no wire, and a server with ssl = off
 * serves none: both are not applicable (tls/ssl-off says the latter). With ssl on and no TLS
 * served, the checks of the certificate are listed as not run, with the reason.
 */
export const servedCertificateFact: Fact<ServedCertificate> = {
  id: "served-certificate",
  scope: "server",
  async collect(source) {
    const { host, port, probe } = await requireServedTls(source);
    if (!probe.certificateDer)
      throw new FactUnavailable({
        kind: "failed",
        reason: `${host}:${port} completed a handshake without a certificate`,
      });
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
