import { type SourceLocation } from "../core/source-location.js";
import type { RoleEntry } from "./role-entry.js";
import type { InventoryVars, RoleEntryKey } from "./schema.js";

/** The role attributes an entry states (Pigsty's boolean fields), in CREATE ROLE's order. */
export const ROLE_ENTRY_ATTRIBUTES = [
  "login",
  "superuser",
  "createdb",
  "createrole",
  "inherit",
  "replication",
  "bypassrls",
] as const;
export type RoleEntryAttribute = (typeof ROLE_ENTRY_ATTRIBUTES)[number];

/** A parameter's value as an entry writes it (`parameters: {name: value}`). */
export type RoleEntryParameterValue = NonNullable<RoleEntry["parameters"]>[string];

/**
 * One role as the inventory's entries leave it. Pigsty runs the entries in order, so each
 * later entry for the same name overrides what it states and leaves the rest as it was.
 */
export interface DeclaredRole {
  readonly name: string;
  state: "create" | "absent";
  /** Where the last entry that has a place was written. */
  source?: SourceLocation;
  readonly attributes: Partial<Record<RoleEntryAttribute, boolean>>;
  connlimit?: number;
  /** The last entry's expiry; within one entry expire_in wins over expire_at, as in Pigsty's template. */
  expiry?: { readonly inDays: number } | { readonly at: string };
  /** Role name to grant or revoke, in the order first written; the last entry's state wins. */
  readonly memberships: Map<string, "grant" | "revoke">;
  /** By lower-case name (PostgreSQL folds parameter names), in the order first written; the last value wins. */
  readonly parameters: Map<string, RoleEntryParameterValue>;
  comment?: string;
}

/** One entry of pg_default_roles or pg_users, with the key it was written under. */
export interface PlacedRoleEntry {
  readonly entry: RoleEntry;
  readonly origin: RoleEntryKey;
}

/** A role no entry has stated anything about yet. */
export function newDeclaredRole(name: string): DeclaredRole {
  return { name, state: "create", attributes: {}, memberships: new Map(), parameters: new Map() };
}

/** Applies one entry to the role it names: what the entry states replaces what earlier entries said. */
export function mergeRoleEntry(role: DeclaredRole, entry: RoleEntry): void {
  role.source = entry.source ?? role.source;
  role.state = entry.state ?? role.state;
  for (const attribute of ROLE_ENTRY_ATTRIBUTES) {
    const value = entry[attribute];
    if (value !== undefined) role.attributes[attribute] = value;
  }
  if (entry.connlimit !== undefined && entry.connlimit !== null) role.connlimit = entry.connlimit;
  if (entry.expire_in !== undefined && entry.expire_in !== null) role.expiry = { inDays: entry.expire_in };
  else if (entry.expire_at !== undefined && entry.expire_at !== null) role.expiry = { at: entry.expire_at };
  for (const membership of entry.roles ?? []) {
    if (typeof membership === "string") role.memberships.set(membership, "grant");
    else role.memberships.set(membership.name, membership.state ?? "grant");
  }
  for (const [name, value] of Object.entries(entry.parameters ?? {})) role.parameters.set(name.toLowerCase(), value);
  if (entry.comment !== undefined && entry.comment !== null) role.comment = entry.comment;
}

/** The role entries of `vars` in the order Pigsty runs them: pg_default_roles, then pg_users. */
export function roleEntries(vars: InventoryVars): PlacedRoleEntry[] {
  return [
    ...(vars.pg_default_roles ?? []).map((entry) => ({ entry, origin: "pg_default_roles" as const })),
    ...(vars.pg_users ?? []).map((entry) => ({ entry, origin: "pg_users" as const })),
  ];
}

/**
 * Every role `vars` declares, by name, its entries merged in Pigsty's order (see
 * {@link mergeRoleEntry}). `vars` as given: pass them through withPigstyDefaults (inventory.ts)
 * for Pigsty's pg_default_roles when the inventory sets none.
 */
export function declaredRoles(vars: InventoryVars): Map<string, DeclaredRole> {
  const roles = new Map<string, DeclaredRole>();
  for (const { entry } of roleEntries(vars)) {
    let role = roles.get(entry.name);
    if (!role) roles.set(entry.name, (role = newDeclaredRole(entry.name)));
    mergeRoleEntry(role, entry);
  }
  return roles;
}
