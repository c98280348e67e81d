import { type ResolvedConnection } from "../pg/conninfo/resolve.js";
import { type InventoryScope } from "./fact.js";

/** A server to audit: how to reach it, and what else is known about it. */
export interface ServerTarget {
  readonly kind: "server";
  /** How the report names it: `host:port` unless given (an inventory's instance name). */
  readonly name: string;
  readonly connection: ResolvedConnection;
  /** Its data directory, when the audit runs on its host (file modes, owners, the log directory). */
  readonly pgdata?: string;
  readonly inventory?: InventoryScope;
  /** The CA certificate(s) (PEM) clients verify it against, and the file they came from. */
  readonly trustedCa?: { readonly pem: string; readonly file: string };
}

/** The inventory file itself: its settings are audited once, whatever servers are. */
export interface InventoryTarget {
  readonly kind: "inventory";
  readonly name: string;
  readonly inventory: InventoryScope;
}

export type AuditTarget = ServerTarget | InventoryTarget;

/** `host:port`, or the socket directory and port, as a target's default name. */
export function targetName(connection: ResolvedConnection): string {
  return connection.socket ? `${connection.host}/.s.PGSQL.${connection.port}` : `${connection.host}:${connection.port}`;
}
