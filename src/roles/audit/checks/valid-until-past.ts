import type { PasswordCheck } from "../password-check.js";
import { MINUS_INFINITY_MS } from "../stored-role.js";

const DAY_MS = 86_400_000;

export const validUntilPast: PasswordCheck = {
  id: "valid-until-past",
  severity: "high",
  title: "password past its VALID UNTIL",
  why: "PostgreSQL refuses the password after VALID UNTIL, yet the secret stays in pg_authid and one ALTER ROLE ... VALID UNTIL brings the old, unrotated password back; meanwhile the role's users are locked out or have moved to other methods",
  fix: "set a new password with a new VALID UNTIL (pg_users: expire_in or expire_at, then pgwarden role apply), or ALTER ROLE ... NOLOGIN if the role is retired",
  check: ({ role, secret }, { now }) => {
    if (
      !role.canLogin ||
      secret.kind === "none" ||
      role.validUntil === null ||
      role.validUntil.getTime() > now.getTime()
    )
      return undefined;
    const days = Math.floor((now.getTime() - role.validUntil.getTime()) / DAY_MS);
    const when =
      role.validUntil.getTime() === MINUS_INFINITY_MS
        ? "it is VALID UNTIL '-infinity'"
        : `it expired ${role.validUntil.toISOString()} (${days} days ago)`;
    return { message: `the password is no longer valid: ${when}` };
  },
};
