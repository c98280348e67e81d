import { parseSubjectAltName } from "../../pki/names/subject-alt-name.js";
import type { ServerCertificateRequest } from "../server-certificate.js";

/** What a person asks of the server certificate (flags --cn, --san, --group, --force, --no-cn-san). */
export interface ServerCertificateAsk {
  /** Default: `host`. */
  readonly cn?: string;
  /** Default: the CN, localhost, 127.0.0.1 and ::1. */
  readonly san: readonly string[];
  /** Default: server. */
  readonly group?: string;
  readonly force?: boolean;
  readonly cnSan?: boolean;
}

/** The certificate request for `ask` on a machine called `host`: without SANs it names the CN and loopback. */
export function serverCertificateRequest(ask: ServerCertificateAsk, host: string): ServerCertificateRequest {
  const commonName = ask.cn ?? host;
  const sans =
    ask.san.length > 0
      ? ask.san
      : [commonName, "localhost", "127.0.0.1", "::1"].filter((san, index, all) => all.indexOf(san) === index);
  return {
    commonName,
    subjectAltNames: sans,
    group: ask.group ?? "server",
    force: ask.force,
    cnAsSan: ask.cnSan,
  };
}

/** The name the final handshake verifies the served certificate for: the first one asked for, as a verify-full client would. */
export function verifyName(request: ServerCertificateRequest): string {
  return parseSubjectAltName(request.subjectAltNames[0] ?? request.commonName).value;
}
