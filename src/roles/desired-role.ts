import { type SourceLocation } from "../core/source-location.js";

/** The role attributes an inventory can state, with the keywords CREATE/ALTER ROLE use for them. */
export const ROLE_ATTRIBUTES = {
  login: { on: "LOGIN", off: "NOLOGIN" },
  superuser: { on: "SUPERUSER", off: "NOSUPERUSER" },
  createdb: { on: "CREATEDB", off: "NOCREATEDB" },
  createrole: { on: "CREATEROLE", off: "NOCREATEROLE" },
  inherit: { on: "INHERIT", off: "NOINHERIT" },
  replication: { on: "REPLICATION", off: "NOREPLICATION" },
  bypassrls: { on: "BYPASSRLS", off: "NOBYPASSRLS" },
} as const;
export type RoleAttribute = keyof typeof ROLE_ATTRIBUTES;

/**
 * What a new role gets for an attribute the inventory leaves out: PostgreSQL's defaults for
 * CREATE USER, which Pigsty's templates run (so LOGIN unless `login: false`).
 */
export const CREATE_USER_DEFAULTS: Readonly<Record<RoleAttribute, boolean>> = {
  login: true,
  superuser: false,
  createdb: false,
  createrole: false,
  inherit: true,
  replication: false,
  bypassrls: false,
};

/**
 * A password as the inventory declares it, after `{env}` / `{file}` were read: `from` names
 * the inventory key (and variable or file) for messages, `source` where it was written.
 */
export type DesiredPassword = (
  | { readonly kind: "plaintext"; readonly value: string }
  | { readonly kind: "scram"; readonly secret: string }
  | { readonly kind: "md5"; readonly secret: string }
) & {
  readonly from: string;
  readonly source?: SourceLocation;
  /** The key (`pg_admin_password`) whose Pigsty default this is, the inventory leaving it unset; `source` is then the cluster's entry. */
  readonly pigstyDefault?: string;
};

export interface DesiredMembership {
  readonly role: string;
  readonly state: "grant" | "revoke";
}

/** A role parameter (`ALTER ROLE ... SET`): one value, a list, or null to reset it. */
export interface DesiredParameter {
  readonly name: string;
  readonly value: string | readonly string[] | null;
}

/**
 * One role as the inventory wants it. Attributes, connection limit, expiry, password and
 * comment are enforced only when stated: what the inventory leaves out keeps its value on a
 * role that exists, and gets PostgreSQL's default on a new one, as Pigsty's templates do.
 */
export interface DesiredRole {
  readonly name: string;
  readonly state: "create" | "absent";
  readonly source?: SourceLocation;
  /** The key (`pg_default_roles`) whose Pigsty default declares the role, the inventory leaving it unset; `source` is then the cluster's entry. */
  readonly pigstyDefault?: string;
  /** One of the system users (dbsu, replicator, admin, monitor): never dropped. */
  readonly system: boolean;
  readonly attributes: Readonly<Partial<Record<RoleAttribute, boolean>>>;
  readonly connectionLimit?: number;
  /** `VALID UNTIL`, a UTC date YYYY-MM-DD. */
  readonly validUntil?: string;
  readonly password?: DesiredPassword;
  /** Passwords other entries declare for this role (pg_users naming it twice, a stated system password), which `password` replaces. */
  readonly overriddenPasswords?: readonly DesiredPassword[];
  readonly memberships: readonly DesiredMembership[];
  readonly parameters: readonly DesiredParameter[];
  readonly comment: string;
}
