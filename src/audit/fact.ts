import type pg from "pg";

import { type Inventory } from "../config/inventory.js";
import { type ResolvedConnection } from "../pg/conninfo/resolve.js";

/** Why a fact could not be read, and so why the checks that need it did not run. */
export type Unavailability =
  // The login lacks a privilege; `grant` is the statement (or role) that would allow it.
  | { readonly kind: "privilege"; readonly reason: string; readonly grant: string }
  // Nothing to look at: no --pgdata, no inventory, a server too old for the view.
  | { readonly kind: "not-applicable"; readonly reason: string }
  // It should have been readable and was not (a query or a file failed): said in the report.
  | { readonly kind: "failed"; readonly reason: string };

/** Thrown by a fact's collector when the fact cannot be had; the runner records it, it never ends the audit. */
export class FactUnavailable extends Error {
  constructor(readonly unavailability: Unavailability) {
    super(unavailability.reason);
    this.name = "FactUnavailable";
  }
}

/** The inventory a target was found in, and its cluster there. */
export interface InventoryScope {
  readonly inventory: Inventory;
  /** The inventory file, as given. */
  readonly file: string;
  /** The cluster (pg_cluster) the server belongs to, when it is one of the inventory's instances. */
  readonly cluster?: string;
  /** The host (inventory key) of the server, when known. */
  readonly host?: string;
}

/**
 * What a fact's collector may use, for one server: the audit's connection (read-only use only:
 * nothing here may change the server), a connection to another database, the data directory
 * when the audit runs on the host, the inventory, and the other facts (each read once).
 */
export interface ServerSource {
  readonly kind: "server";
  readonly connection: ResolvedConnection;
  readonly client: pg.Client;
  readonly now: Date;
  readonly pgdata?: string;
  readonly inventory?: InventoryScope;
  /** The CA certificate(s), PEM, that clients verify this server against (--ca, else the PKI's roots), when known. */
  readonly trustedCa?: { readonly pem: string; readonly file: string };
  /**
   * The backend pids of the audit's own connections to this server (the main one, and each per-database one as
   * it opens): filled while facts are collected, complete once every fact is, so a check reading it sees them all.
   */
  readonly auditBackends: ReadonlySet<number>;
  get<T>(fact: Fact<T>): Promise<T>;
  /** Runs `work` on a connection to `database`, opened like the audit's own and closed after. */
  inDatabase<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T>;
}

/** What a fact about the inventory itself may use. */
export interface InventorySource {
  readonly kind: "inventory";
  readonly inventory: InventoryScope;
  readonly now: Date;
  get<T>(fact: Fact<T>): Promise<T>;
}

export type FactSource = ServerSource | InventorySource;

/**
 * Something the audit reads once per target and several checks judge: the server's settings,
 * its HBA rules, its roles, the certificate it serves. Collected only when a check that will
 * run needs it, at most once per target, concurrently with the others.
 */
export interface Fact<T, S extends FactSource = ServerSource> {
  readonly id: string;
  readonly scope: FactSource["kind"];
  collect(source: S): Promise<T>;
}
