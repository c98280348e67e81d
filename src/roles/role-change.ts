/** What kind of step a change is; the plan runs them in this order. */
export const ROLE_CHANGE_KINDS = [
  "create-role",
  "alter-role",
  "set-parameter",
  "reset-parameter",
  "comment",
  "grant-membership",
  "revoke-membership",
  "grant-default-privilege",
  "revoke-default-privilege",
  "revoke-public-create",
  "drop-role",
] as const;
export type RoleChangeKind = (typeof ROLE_CHANGE_KINDS)[number];

/**
 * The text that stands for a password in what pgwarden shows. It is not SQL: a plan piped into
 * psql fails at the statement that would set a password, instead of setting it to the marker
 * (a quoted literal such as '********' would be stored as the password).
 */
export const MASKED_PASSWORD = "<masked>";

/**
 * One statement of a role plan. `sql` is what people see: any verifier is masked as
 * `PASSWORD <masked>`. The statement that runs is kept in a private field, so it is not
 * part of the object's JSON, its enumerable properties or its string form.
 */
export class RoleChange {
  readonly kind: RoleChangeKind;
  /** The role the change is about; undefined for the public schema. */
  readonly role: string | undefined;
  /** What changes, in words (never a password). */
  readonly summary: string;
  readonly sql: string;
  /**
   * Set when the change would lock operators out (the bootstrap superuser or the connected role
   * losing LOGIN or SUPERUSER, ...): what it does and to whom. role apply refuses it without --force.
   */
  readonly locksOut: string | undefined;
  readonly #statement: string;

  constructor(
    kind: RoleChangeKind,
    role: string | undefined,
    summary: string,
    sql: string,
    statement: string = sql,
    locksOut?: string,
  ) {
    this.kind = kind;
    this.role = role;
    this.summary = summary;
    this.sql = sql;
    this.locksOut = locksOut;
    this.#statement = statement;
  }

  /** The same change, marked as locking operators out for `reason`. */
  lockingOut(reason: string): RoleChange {
    return new RoleChange(this.kind, this.role, this.summary, this.sql, this.#statement, reason);
  }

  /** Whether `sql` masks a password, so only pgwarden role apply can run this change. */
  masksPassword(): boolean {
    return this.sql !== this.#statement;
  }

  /** The statement to send to the server, with the real verifier. */
  statement(): string {
    return this.#statement;
  }
}
