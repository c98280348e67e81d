import { usageError } from "../../core/errors.js";
import type { Connection } from "../match.js";
import { checkConnectionAddress } from "./connection-address.js";

/** A connection as a person describes it (hba explain's --user, --db, --addr, --tls, --cert, --replication). */
export interface ConnectionAsk {
  readonly user?: string;
  /** Default: the role's name, as libpq does. */
  readonly db?: string;
  /** An IP address, or `local` for the unix socket. */
  readonly addr?: string;
  readonly tls?: boolean;
  /** The CN of the client certificate presented (implies TLS). */
  readonly cert?: string;
  readonly replication?: boolean;
}

/** The connection `ask` describes, memberships aside; what cannot be a connection is a usage error (exit 2). */
export function askedConnection(ask: ConnectionAsk): Omit<Connection, "memberOf"> {
  if (ask.user === undefined || ask.user === "")
    throw usageError("explain-user", "give the role with --user NAME (or --matrix with --inventory)");
  if (ask.addr === undefined)
    throw usageError(
      "explain-addr",
      "give where the client connects from with --addr IP (or --addr local for the unix socket)",
    );
  checkConnectionAddress(ask.addr, "--addr");
  const local = ask.addr === "local";
  if (local && (ask.tls || ask.cert !== undefined))
    throw usageError("explain-socket-tls", "a unix socket connection has no TLS: --tls and --cert need --addr IP");
  if (ask.cert === "") throw usageError("explain-cert", "--cert needs the certificate's CN");
  const database = ask.db ?? ask.user;
  // A certificate is only ever presented inside TLS.
  const ssl = !local && (ask.tls === true || ask.cert !== undefined);
  return {
    user: ask.user,
    database,
    address: ask.addr,
    ssl,
    ...(ask.replication ? { replication: true } : {}),
    ...(ask.cert !== undefined ? { certificate: { commonName: ask.cert } } : {}),
  };
}
