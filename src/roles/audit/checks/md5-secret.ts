import type { PasswordCheck } from "../password-check.js";

export const md5Secret: PasswordCheck = {
  id: "md5-secret",
  severity: "high",
  title: "md5 password secret",
  why: "an md5 secret is password-equivalent (whoever holds it logs in through md5 authentication without knowing the password), its only salt is the role name, a guess costs one md5, and md5 passwords are deprecated since PostgreSQL 18",
  fix: "set password_encryption = 'scram-sha-256' and set the password again (pgwarden role apply sends a SCRAM verifier); then use scram-sha-256 in pg_hba.conf",
  check: ({ secret }) => (secret.kind === "md5" ? { message: "the password is stored as an md5 secret" } : undefined),
};
