import { decodePemBlocks } from "../../pki/encoding/pem.js";
import { type Fact, FactUnavailable } from "../fact.js";
import { serverTlsFilesFact } from "./server-tls-files.js";

/** The CA certificates a served certificate is judged against, and where they come from. */
export interface TlsTrustAnchors {
  /** `--ca FILE` (or the PKI's roots), or the server's ssl_ca_file. */
  readonly from: string;
  readonly certificates: readonly Buffer[];
}

/**
 * What clients trust: the CA the audit was given (--ca, or the PKI's roots) when there is one,
 * else the server's own ssl_ca_file (read as {@link serverTlsFilesFact} reads it). Neither:
 * nothing to judge the served chain against, so not applicable.
 */
export const tlsTrustAnchorsFact: Fact<TlsTrustAnchors> = {
  id: "tls-trust-anchors",
  scope: "server",
  async collect(source) {
    if (source.trustedCa) {
      const certificates = decodePemBlocks(source.trustedCa.pem)
        .filter((block) => block.label === "CERTIFICATE" || block.label === "TRUSTED CERTIFICATE")
        .map((block) => block.der);
      return { from: source.trustedCa.file, certificates };
    }
    const files = await source.get(serverTlsFilesFact);
    if (!files.caFile || files.caFile.certificates.length === 0)
      throw new FactUnavailable({
        kind: "not-applicable",
        reason: "no CA to verify the served certificate against: pass --ca FILE, or set ssl_ca_file",
      });
    return { from: `ssl_ca_file ${files.caFile.path}`, certificates: files.caFile.certificates };
  },
};
