import type { HbaToken } from "../core/auth-file-tokens.js";
import type { SourceLocation } from "../core/source-location.js";

/*
 * The shared model of access rules: what a pg_hba.conf line says, where it came from.
 * The parser (parse/), the renderer (render/), lint rules (lint/rules/) and explain all
 * speak this model.
 */

export const CONNECTION_TYPES = ["local", "host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc"] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

/**
 * One HBA rule as PostgreSQL reads it. Lists are the expanded tokens: `@file` lists are
 * already read in; quoted tokens keep their quotes off but are flagged so that a quoted
 * "all" (a role named all) is not the keyword all.
 */
export interface HbaRule {
  readonly type: ConnectionType;
  readonly databases: readonly HbaToken[];
  readonly users: readonly HbaToken[];
  /**
   * The address as written for host* rules: a CIDR (`10.0.0.0/8`, `::1/128`), an address
   * with a separate mask already folded into CIDR form, `all`, `samehost`, `samenet`, or a
   * host name (`.example.com` suffix form included). A mask that is not contiguous
   * (`255.0.255.0`), which PostgreSQL accepts and matches bit by bit, stays as address and
   * mask separated by a space (`127.0.0.1 255.0.255.0`; see rule-address.ts ruleMaskedNetwork).
   * Absent for `local`.
   */
  readonly address?: string;
  /** Authentication method: trust, reject, scram-sha-256, md5, password, gss, sspi, ident, peer, ldap, radius, cert, pam, bsd. */
  readonly method: string;
  /** `name=value` options after the method (`clientcert=verify-full`, `map=omicron`). */
  readonly options: Readonly<Record<string, string>>;
  readonly source: SourceLocation;
  /** The rule's text as written (continuations joined), for messages. */
  readonly text: string;
}

export interface HbaParseError {
  readonly source: SourceLocation;
  readonly message: string;
}

export interface HbaFile {
  readonly rules: readonly HbaRule[];
  readonly errors: readonly HbaParseError[];
}
