import type { EventEmitter } from "node:events";

import type pg from "pg";

/** How long a connection attempt may take, TLS and authentication included. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** The parts of node-postgres's internal Connection this module listens to, when they are there. */
interface ConnectionInternals extends EventEmitter {
  readonly stream?: EventEmitter & { destroy(): void };
}

/**
 * `client.connect()`, made to settle. node-postgres (8.x) leaves `connect()` pending for
 * ever when the server ends a TLS connection during the handshake or right after it
 * without an error reaching the client (under TLS 1.3 the server refuses a client
 * certificate after the client thinks the handshake is done, and the alert may be lost):
 * it watches only the plain socket, whose `close` never comes once TLS owns it, and its own
 * timeout timer is unref'd, so Node simply exits mid-connect. This watches the TLS stream
 * for its end, and keeps a timer of its own that holds the process and rejects.
 */
export async function connectClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let watched: EventEmitter | undefined;
  let onClosed: (() => void) | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    onClosed = () =>
      reject(
        new Error(
          "the server closed the connection during TLS setup without saying why (a client certificate it does not trust? its log says)",
        ),
      );
    const connection = (client as unknown as { connection?: ConnectionInternals }).connection;
    connection?.once("sslconnect", () => {
      watched = connection.stream;
      watched?.once("end", onClosed as () => void);
      watched?.once("close", onClosed as () => void);
    });
  });
  stalled.catch(() => undefined);
  let connectError: unknown;
  const connecting = client.connect().catch((error: unknown) => {
    connectError = error;
    throw error;
  });
  connecting.catch(() => undefined);
  try {
    await Promise.race([connecting, stalled]);
  } catch (error) {
    // node-postgres's own error, when one comes just after the stream ended, says more than the stall.
    await new Promise((resolve) => setImmediate(resolve));
    // Not awaited: after a stall node-postgres's end() waits for an event that never comes.
    void client.end().catch(() => undefined);
    // end() only asks the server to close: a server that never answers keeps the socket, and the socket keeps the
    // process alive for ever. Destroyed here, the process can exit once its work is done.
    (client as unknown as { connection?: ConnectionInternals }).connection?.stream?.destroy();
    throw connectError ?? error;
  } finally {
    clearTimeout(timer);
    if (onClosed) {
      watched?.off("end", onClosed);
      watched?.off("close", onClosed);
    }
  }
}

/** node-postgres's words, except where they hide what happened (a password asked for and none given). */
export function connectFailure(error: Error): string {
  if (/client password must be a string|no password supplied/.test(error.message)) {
    return "the server asks for a password (its pg_hba.conf chose a password method for this login) and none was given: set PGPASSWORD or ~/.pgpass, or log in by certificate";
  }
  return error.message;
}
