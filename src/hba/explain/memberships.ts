/** Where the roles a user is a member of came from; `unknown` leaves rules that need them undecided. */
export type MembershipOrigin = "given" | "server" | "inventory" | "unknown";

/** Every place that may say which roles the user is a member of. */
export interface MembershipSources {
  /** Given by the person: a complete list (`[]` for none, --no-member-of), or undefined when not given. */
  readonly given?: readonly string[];
  /** What the server says (pg_auth_members, through every chain of grants), when the rules came from one. */
  readonly server?: readonly string[];
  /** What the inventory declares (pg_default_roles and pg_users), when the rules were rendered from one. */
  readonly inventory?: () => readonly string[];
}

export interface Memberships {
  /** Undefined when nothing says. */
  readonly memberOf?: readonly string[];
  readonly origin: MembershipOrigin;
}

/**
 * The user's memberships: what the person gave wins (they may be asking "what if"), then what the
 * server says, then what the inventory declares; otherwise they are unknown, never guessed.
 */
export function membershipsOf(sources: MembershipSources): Memberships {
  if (sources.given !== undefined) return { memberOf: sources.given, origin: "given" };
  if (sources.server !== undefined) return { memberOf: sources.server, origin: "server" };
  if (sources.inventory !== undefined) return { memberOf: sources.inventory(), origin: "inventory" };
  return { origin: "unknown" };
}
