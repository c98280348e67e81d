import { PgwardenError } from "../../core/errors.js";
import { FactUnavailable, type ServerSource } from "../fact.js";

/** How long a fact waits for the server's answer to a TLS probe. */
export const PROBE_TIMEOUT_MS = 3000;

/**
 * The address a fact probes the server's TLS at: the audit's own host and port. Over a Unix
 * socket there is no wire to probe: the fact is not applicable, for `unixSocketReason`.
 */
export function probedAddress(source: ServerSource, unixSocketReason: string): { host: string; port: number } {
  const { host, port, socket } = source.connection;
  if (socket) throw new FactUnavailable({ kind: "not-applicable", reason: unixSocketReason });
  return { host, port };
}

/**
 * What a fact throws for an error of its TLS probe: pgwarden's own (refused, timed out, no
 * handshake) make the fact failed, with the probe's words; anything else is a bug and goes up as it is.
 */
export function probeFailure(error: unknown): unknown {
  return error instanceof PgwardenError ? new FactUnavailable({ kind: "failed", reason: error.message }) : error;
}
