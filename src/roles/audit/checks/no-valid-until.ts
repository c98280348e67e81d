import type { PasswordCheck } from "../password-check.js";

export const noValidUntil: PasswordCheck = {
  id: "no-valid-until",
  severity: "low",
  title: "password without VALID UNTIL",
  why: "a password that never expires is never rotated: a leaked one stays useful for ever (Pigsty gives business users expire_in for compliance)",
  fix: "give the role an expiry and rotate it before then: pg_users expire_in: DAYS (or expire_at), then pgwarden role apply",
  check: ({ role, secret }) =>
    role.canLogin && secret.kind !== "none" && role.validUntil === null
      ? { message: "the password never expires (no VALID UNTIL)" }
      : undefined,
};
