import type { DesiredRole } from "../desired-role.js";
import type { CatalogRole, RoleCatalog } from "../role-catalog.js";

/** The day a `VALID UNTIL` of the plan takes effect: midnight UTC of its date, as role-attributes.ts writes it. */
function validUntilTime(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** A VALID UNTIL closer than this (`expire_in: 1` lands at the next midnight) gives no time to notice before it bites. */
const EXPIRY_MARGIN_MS = 24 * 60 * 60 * 1000;

/** What `name` is to the people who run pgwarden, when it is a role whose loss locks them out; empty otherwise. */
function protectedAs(name: string, catalog: RoleCatalog): string[] {
  const what: string[] = [];
  if (name === catalog.bootstrapSuperuser) what.push("the bootstrap superuser (oid 10)");
  if (name === catalog.currentUser || name === catalog.sessionUser) what.push("the role pgwarden is connected as");
  return what;
}

/**
 * Why the stated attributes would lock operators out of `role`, or undefined: for the bootstrap
 * superuser and the connected role, LOGIN or SUPERUSER taken away, a VALID UNTIL less than a day
 * ahead (by the server's clock; it refuses password logins only), and CONNECTION LIMIT 0 on a
 * role that is not a superuser after the change (PostgreSQL does not enforce the limit on superusers).
 * Another login superuser remaining does not make it safe: whoever connects as this role, pgwarden
 * included, is still cut off, so the reason names them and the change is still refused without --force.
 */
export function attributeLockout(role: DesiredRole, current: CatalogRole, catalog: RoleCatalog): string | undefined {
  const who = protectedAs(role.name, catalog);
  if (who.length === 0) return undefined;
  const wanted = role.attributes;
  const losses: string[] = [];
  if (wanted.login === false && current.attributes.login) losses.push("NOLOGIN: no new session could log in as it");
  if (wanted.superuser === false && current.attributes.superuser)
    losses.push("NOSUPERUSER: it would no longer be a superuser");
  if (
    role.validUntil !== undefined &&
    role.validUntil !== current.validUntil &&
    validUntilTime(role.validUntil) <= catalog.now.getTime() + EXPIRY_MARGIN_MS
  ) {
    losses.push(`VALID UNTIL ${role.validUntil}, not a day ahead: password logins as it would be refused by then`);
  }
  const superuserAfter = wanted.superuser ?? current.attributes.superuser;
  if (role.connectionLimit === 0 && current.connectionLimit !== 0 && !superuserAfter)
    losses.push("CONNECTION LIMIT 0: no session could log in as it");
  if (losses.length === 0) return undefined;
  let reason = `${role.name} is ${who.join(" and ")}: ${losses.join("; ")}`;
  const others = [...catalog.roles.values()]
    .filter((other) => other.name !== role.name && other.attributes.login && other.attributes.superuser)
    .map((other) => other.name);
  if (who.includes("the role pgwarden is connected as") && others.length > 0) {
    reason += ` (other login superusers remain: ${others.join(", ")}; still refused, since pgwarden's own session`;
    reason += ` and whoever connects as ${role.name} would be cut off)`;
  }
  return reason;
}

/**
 * Why revoking `granted` from `member` would lock operators out, or undefined. Covered: the
 * direct membership through which the session's login role became the superuser it runs as
 * (SET ROLE, e.g. `options=-c role=...` in --conn). Memberships reached through other roles are not.
 */
export function membershipLockout(member: string, granted: string, catalog: RoleCatalog): string | undefined {
  if (catalog.sessionUser === catalog.currentUser || member !== catalog.sessionUser || granted !== catalog.currentUser)
    return undefined;
  return `${member} is the role pgwarden logged in as and becomes ${granted} through this membership: it could no longer SET ROLE ${granted}`;
}

/**
 * Settings that, set on a role, can stop every session of it from starting or from doing
 * anything: a preload library that is not there fails each login; a read-only default or a
 * SET ROLE blocks the next `role apply` itself; tiny timeouts cut sessions off.
 */
const LOCKING_SETTINGS: ReadonlyMap<string, string> = new Map([
  ["session_preload_libraries", "a library that fails to load fails every login as it"],
  ["local_preload_libraries", "a library that fails to load fails every login as it"],
  ["default_transaction_read_only", "its sessions could change nothing, the next role apply included"],
  ["role", "its sessions would run as another role"],
  ["session_authorization", "its sessions would run as another role"],
  ["statement_timeout", "a short timeout cuts off every statement of its sessions"],
  ["idle_session_timeout", "a short timeout cuts off its sessions"],
  ["idle_in_transaction_session_timeout", "a short timeout cuts off its transactions"],
  ["lock_timeout", "a short timeout makes its changes fail"],
]);

/** Why setting `parameter` on `role` could lock operators out, or undefined (a RESET never does). */
export function settingLockout(role: string, parameter: string, catalog: RoleCatalog): string | undefined {
  const who = protectedAs(role, catalog);
  const why = LOCKING_SETTINGS.get(parameter.toLowerCase());
  if (who.length === 0 || why === undefined) return undefined;
  return `${role} is ${who.join(" and ")}: SET ${parameter}: ${why}`;
}
