import { execFile } from "node:child_process";

import { type Fact, FactUnavailable } from "../fact.js";
import { settingsFact, settingValue } from "./settings.js";

/** One cipher suite as `openssl ciphers -v` describes it. */
export interface CipherSuite {
  readonly name: string;
  /** The protocol the suite was defined in (`TLSv1.3`, `TLSv1.2`, `SSLv3`...), not the only one it runs on. */
  readonly protocol: string;
  readonly keyExchange: string;
  readonly authentication: string;
  readonly encryption: string;
  readonly mac: string;
  readonly export: boolean;
}

/** ssl_ciphers as this host's OpenSSL expands it: the suites the server may pick for TLS 1.2 and below, at OpenSSL's security level. */
export interface TlsCipherSuites {
  readonly sslCiphers: string;
  /** `openssl version`'s first words: the expansion is this library's. */
  readonly openssl: string;
  /** TLS 1.3 suites left out: ssl_ciphers does not govern them. */
  readonly suites: readonly CipherSuite[];
}

const OPENSSL_TIMEOUT_MS = 5000;

/** Runs openssl with arguments (no shell) and returns its stdout; rejects with its stderr's first line. */
export function runOpenssl(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("openssl", args, { timeout: OPENSSL_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.split("\n")[0] || error.message));
      else resolve(stdout);
    });
  });
}

/** One line of `openssl ciphers -v`: `NAME PROTOCOL Kx=.. Au=.. Enc=.. Mac=.. [export]`. */
export function parseCipherLine(line: string): CipherSuite | undefined {
  const words = line.trim().split(/\s+/);
  if (words.length < 6) return undefined;
  const field = (key: string) => words.find((word) => word.startsWith(`${key}=`))?.slice(key.length + 1) ?? "";
  return {
    name: words[0] as string,
    protocol: words[1] as string,
    keyExchange: field("Kx"),
    authentication: field("Au"),
    encryption: field("Enc"),
    mac: field("Mac"),
    export: words.some((word) => word.toLowerCase() === "export"),
  };
}

/**
 * The suites `openssl ciphers -v <cipherString>` lists, TLS 1.3's included; with `supportedOnly`
 * (`-s`), only those OpenSSL would use at its security level (the configured default, or the
 * string's own @SECLEVEL=n), as a server with that string does.
 */
export async function expandCipherString(cipherString: string, supportedOnly = false): Promise<CipherSuite[]> {
  const out = await runOpenssl(["ciphers", ...(supportedOnly ? ["-s"] : []), "-v", cipherString]);
  return out
    .split("\n")
    .map(parseCipherLine)
    .filter((suite): suite is CipherSuite => suite !== undefined);
}

/**
 * ssl_ciphers expanded by `openssl ciphers -s -v` (execFile, no shell): OpenSSL's own reading of
 * the string, less the suites its security level forbids (anonymous, NULL, MD5 from level 1 on),
 * as PostgreSQL's OpenSSL on the same host does, so the verdict is OpenSSL's. A string that lowers
 * the level (`@SECLEVEL=0`) lowers it here too. Without openssl on this host, or with a string OpenSSL
 * refuses (the server could not load it either), the fact failed and the report says why.
 */
export const tlsCipherSuitesFact: Fact<TlsCipherSuites> = {
  id: "tls-cipher-suites",
  scope: "server",
  async collect(source) {
    const settings = await source.get(settingsFact);
    const sslCiphers = settingValue(settings, "ssl_ciphers");
    if (sslCiphers === undefined)
      throw new FactUnavailable({ kind: "not-applicable", reason: "the server has no ssl_ciphers setting" });
    try {
      const [version, suites] = await Promise.all([runOpenssl(["version"]), expandCipherString(sslCiphers, true)]);
      return {
        sslCiphers,
        openssl: version.trim().split(/\s+/).slice(0, 2).join(" "),
        suites: suites.filter((suite) => suite.protocol !== "TLSv1.3"),
      };
    } catch (error) {
      throw new FactUnavailable({
        kind: "failed",
        reason: `openssl ciphers -v could not expand ssl_ciphers '${sslCiphers}': ${(error as Error).message}`,
      });
    }
  },
};
