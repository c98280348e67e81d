/**
 * Pigsty's user placeholders (roles/pgsql/templates/pg_hba.conf, `usermapping`): the whole
 * `user` value, not a part of it, is replaced by the name of the system user it stands for.
 */
export const USER_ALIASES = {
  "${dbsu}": "dbsu",
  "${repl}": "replication",
  "${monitor}": "monitor",
  "${admin}": "admin",
} as const;

/** The system users' names for one instance (pg_dbsu, pg_replication_username, ...). */
export interface SystemUsers {
  readonly dbsu: string;
  readonly replication: string;
  readonly monitor: string;
  readonly admin: string;
}

const PLACEHOLDER = /\$\{[^}]*\}/;

/** Why a `user` value is wrong, or undefined: a `${...}` that is not one of the four placeholders is a typo. */
export function userProblem(user: string): string | undefined {
  if (Object.hasOwn(USER_ALIASES, user) || !PLACEHOLDER.test(user)) return undefined;
  return `unknown user placeholder in ${JSON.stringify(user)}: use exactly one of ${Object.keys(USER_ALIASES).join(", ")}`;
}

/** The user field as written to the file: `all` when empty, a placeholder replaced by its name. */
export function resolveUser(user: string | undefined, users: SystemUsers): string {
  if (user === undefined || user === "") return "all";
  return Object.hasOwn(USER_ALIASES, user) ? users[USER_ALIASES[user as keyof typeof USER_ALIASES]] : user;
}
