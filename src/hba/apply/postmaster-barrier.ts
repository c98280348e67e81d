import { connect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

/** Where a server listens: a unix socket file, or a TCP host and port. */
export type Endpoint = { readonly socketPath: string } | { readonly host: string; readonly port: number };

/** The SSLRequest code of the frontend/backend protocol: a backend answers it with one byte. */
const SSL_REQUEST_CODE = 80_877_103;
const BARRIER_TIMEOUT_MS = 10_000;

/** libpq's convention: a host that is a directory means the unix socket in it. */
export function endpointOf(host: string, port: number): Endpoint {
  return host.startsWith("/") ? { socketPath: `${host}/.s.PGSQL.${port}` } : { host, port };
}

/**
 * Returns once a backend the postmaster forked after this call has answered. The postmaster
 * runs a reload (postgresql.conf, then pg_hba.conf) without forking in between, so once a
 * session saw the reload begin, this proves it has ended. Only an SSLRequest is sent, and
 * a TLS handshake when the server offers one, then a clean close: the server logs nothing
 * and no one logs in.
 */
export function postmasterBarrier(endpoint: Endpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket =
      "socketPath" in endpoint
        ? connect({ path: endpoint.socketPath })
        : connect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not answer within ${BARRIER_TIMEOUT_MS / 1000} s`));
    }, BARRIER_TIMEOUT_MS);
    const done = (error?: Error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    socket.once("error", done);
    socket.once("connect", () => {
      const request = Buffer.alloc(8);
      request.writeInt32BE(8, 0);
      request.writeInt32BE(SSL_REQUEST_CODE, 4);
      socket.write(request);
    });
    socket.once("data", (answer: Buffer) => {
      socket.off("error", done);
      if (answer[0] !== "S".charCodeAt(0)) {
        socket.destroy();
        done();
        return;
      }
      // Closing right after 'S' makes the server log "could not accept SSL connection"; a finished handshake then a close does not.
      const secure = tlsConnect({ socket, rejectUnauthorized: false }, () => secure.end());
      secure.once("close", () => done());
      secure.once("error", () => done());
    });
  });
}
