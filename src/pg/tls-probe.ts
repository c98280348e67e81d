import type { X509Certificate } from "node:crypto";
import { connect as netConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect, type SecureVersion, type TLSSocket } from "node:tls";

import { ExitCode, PgwardenError } from "../core/errors.js";
import { fingerprintSha256 } from "../pki/issuing/leaf-signer.js";

/** What a PostgreSQL server showed in a TLS handshake, before any authentication. */
export interface TlsProbe {
  readonly host: string;
  readonly port: number;
  /** False when the server answered the SSLRequest with "N" (ssl = off). */
  readonly tls: boolean;
  readonly protocol?: string;
  readonly cipher?: string;
  /** The certificate the server is serving, as DER. */
  readonly certificateDer?: Buffer;
  /** The other certificates the server sent after its own (intermediates, perhaps the root), DER, in the order Node links them. */
  readonly chainDer?: readonly Buffer[];
  readonly fingerprintSha256?: string;
  readonly subject?: string;
  readonly notAfter?: Date;
  /** Chain and host name checked against `ca` (when given). */
  readonly verified?: boolean;
  readonly verifyError?: string;
}

export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  /** CA certificate(s) (PEM) to verify the served chain and name against. */
  readonly ca?: string;
  /** Name to verify (default: host). */
  readonly servername?: string;
  readonly timeoutMs?: number;
  /** Protocol range and OpenSSL cipher string the client offers (default: Node's), to ask whether the server accepts them. */
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  readonly ciphers?: string;
}

/** How long a probe waits for the server to close its side after close_notify, before it drops the socket. */
const CLOSE_GRACE_MS = 1000;

/** The SSLRequest message: length 8, code 1234.5679. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

function connectionError(options: ProbeOptions, reason: string): PgwardenError {
  return new PgwardenError(
    "connect-failed",
    `cannot reach PostgreSQL at ${options.host}:${options.port}: ${reason}`,
    ExitCode.connection,
  );
}

/**
 * Opens a TCP connection, asks for TLS the way libpq does (SSLRequest), completes the
 * handshake and reports the protocol, cipher and the certificate actually served. No
 * credentials are sent: this proves what the server serves, not who may log in.
 */
export function probeTls(options: ProbeOptions): Promise<TlsProbe> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    let settled = false;
    let tlsSocket: TLSSocket | undefined;
    const socket: Socket = netConnect({ host: options.host, port: options.port });
    const finish = (error: PgwardenError | undefined, result?: TlsProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const done = () => {
        tlsSocket?.destroy();
        socket.destroy();
        if (error) reject(error);
        else resolve(result as TlsProbe);
      };
      if (error || !tlsSocket || tlsSocket.destroyed) return done();
      // A completed handshake ends like a client's: close_notify, then FIN, and the server closes its side. Dropping
      // the socket instead leaves "could not accept SSL connection: EOF detected" in the server log for every probe.
      const live = tlsSocket;
      live.on("error", () => undefined);
      socket.on("error", () => undefined);
      const grace = setTimeout(done, CLOSE_GRACE_MS);
      live.once("close", () => {
        clearTimeout(grace);
        done();
      });
      live.end();
    };
    const timer = setTimeout(() => finish(connectionError(options, `no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once("error", (error) => finish(connectionError(options, error.message)));
    socket.once("connect", () => socket.write(SSL_REQUEST));
    socket.once("data", (answer: Buffer) => {
      if (answer[0] === 0x4e) return finish(undefined, { host: options.host, port: options.port, tls: false });
      if (answer[0] !== 0x53 || answer.length !== 1)
        return finish(connectionError(options, "the server did not answer like PostgreSQL"));
      const servername = options.servername ?? options.host;
      tlsSocket = tlsConnect({
        socket,
        ca: options.ca,
        rejectUnauthorized: false,
        // SNI takes DNS names only; node checks IP names against IP SANs itself.
        servername: isIP(servername) ? undefined : servername,
        checkServerIdentity: () => undefined,
        ...(options.minVersion === undefined ? {} : { minVersion: options.minVersion }),
        ...(options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion }),
        ...(options.ciphers === undefined ? {} : { ciphers: options.ciphers }),
      });
      tlsSocket.once("error", (error: Error) =>
        finish(connectionError(options, `TLS handshake failed: ${error.message}`)),
      );
      tlsSocket.once("secureConnect", () => {
        const live = tlsSocket as TLSSocket;
        // First: once getPeerX509Certificate() has run, Node 20's getPeerCertificate(true) returns no issuers.
        const chain = sentChain(live);
        const peer = live.getPeerX509Certificate();
        let verified: boolean | undefined;
        let verifyError: string | undefined;
        if (options.ca !== undefined) {
          verified = live.authorized;
          verifyError = live.authorizationError ? String(live.authorizationError) : undefined;
          const named = peer && (isIP(servername) ? peer.checkIP(servername) : peer.checkHost(servername));
          if (verified && !named) {
            verified = false;
            verifyError = `the certificate does not name ${servername}`;
          }
        }
        finish(undefined, describePeer(options, live, peer, chain, verified, verifyError));
      });
    });
  });
}

function describePeer(
  options: ProbeOptions,
  socket: TLSSocket,
  peer: X509Certificate | undefined,
  chain: Buffer[],
  verified?: boolean,
  verifyError?: string,
): TlsProbe {
  return {
    host: options.host,
    port: options.port,
    tls: true,
    protocol: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.standardName ?? socket.getCipher()?.name,
    certificateDer: peer?.raw,
    chainDer: peer ? chain : undefined,
    fingerprintSha256: peer ? fingerprintSha256(peer.raw) : undefined,
    subject: peer?.subject.replace(/\n/g, ", "),
    notAfter: peer ? new Date(peer.validTo) : undefined,
    verified,
    verifyError,
  };
}

/** The certificates after the leaf, following issuerCertificate until it points at itself (a self-signed end). */
function sentChain(socket: TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  let current = socket.getPeerCertificate(true);
  const seen = new Set<string>([current.fingerprint256]);
  while (current.issuerCertificate && !seen.has(current.issuerCertificate.fingerprint256)) {
    current = current.issuerCertificate;
    seen.add(current.fingerprint256);
    chain.push(current.raw);
  }
  return chain;
}
