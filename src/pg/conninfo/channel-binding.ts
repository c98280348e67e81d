import type { EventEmitter } from "node:events";

import pg from "pg";

/** libpq 15's words (fe-auth.c pg_SASL_init and check_expected_areq). */
export const CHANNEL_BINDING_ERRORS = {
  noTls: "channel binding required, but SSL not in use",
  notOffered:
    "channel binding is required, but server did not offer an authentication method that supports channel binding",
  notSasl: "channel binding required but not supported by server's authentication request",
  notBound: "channel binding required, but server authenticated client without channel binding",
} as const;

const PLUS = "SCRAM-SHA-256-PLUS";

/** The parts of node-postgres's Client (8.x) this module steps into: the handlers its connect() binds, and its SASL session. */
interface ClientInternals {
  readonly connection: EventEmitter;
  saslSession?: { readonly mechanism?: string } | null;
  _handleAuthCleartextPassword(message: unknown): void;
  _handleAuthMD5Password(message: unknown): void;
  _handleAuthSASL(message: { readonly mechanisms: readonly string[] }): void;
  _handleAuthSASLFinal(message: unknown): void;
}

/**
 * channel_binding=require, as libpq 15 enforces it on `client` before it connects: a password
 * request that is not SASL (password, md5) is refused before any password is sent; SASL must
 * run over TLS and the server must offer SCRAM-SHA-256-PLUS; and the server's AuthenticationOk
 * counts only after a SCRAM-SHA-256-PLUS exchange that completed (trust and cert logins are
 * refused, as libpq refuses them). node-postgres binds its handlers when connect() starts, so
 * instance methods set here replace its own for this client only.
 */
export function requireChannelBinding(client: pg.Client, tls: boolean): void {
  const internals = client as unknown as ClientInternals;
  const prototype = pg.Client.prototype as unknown as ClientInternals;
  const fail = (text: string) => internals.connection.emit("error", new Error(text));
  let bound = false;
  internals._handleAuthCleartextPassword = () => fail(CHANNEL_BINDING_ERRORS.notSasl);
  internals._handleAuthMD5Password = () => fail(CHANNEL_BINDING_ERRORS.notSasl);
  internals._handleAuthSASL = (message) => {
    if (!tls) fail(CHANNEL_BINDING_ERRORS.noTls);
    else if (!message.mechanisms.includes(PLUS)) fail(CHANNEL_BINDING_ERRORS.notOffered);
    else prototype._handleAuthSASL.call(internals, message);
  };
  internals._handleAuthSASLFinal = (message) => {
    const mechanism = internals.saslSession?.mechanism;
    prototype._handleAuthSASLFinal.call(internals, message);
    // finalizeSession clears the session only when the server's signature verified.
    bound = mechanism === PLUS && internals.saslSession === null;
  };
  internals.connection.on("authenticationOk", () => {
    if (!bound) fail(CHANNEL_BINDING_ERRORS.notBound);
  });
}
