import type { PasswordCheck } from "../password-check.js";

export const noPassword: PasswordCheck = {
  id: "no-password",
  severity: "medium",
  title: "login role without a password",
  why: "a login role without a password can only use methods that need none (cert, peer, ident, trust): right for a certificate-only or peer-only role such as the local postgres superuser, but any trust rule that covers it lets anyone in as that role",
  fix: "if the role logs in only with a client certificate or peer authentication, keep it so and check (pgwarden hba lint) that no trust rule covers it; otherwise set a password, or ALTER ROLE ... NOLOGIN if nobody logs in as it",
  check: ({ role, secret }) =>
    role.canLogin && secret.kind === "none"
      ? { message: `login role${role.superuser ? " (superuser)" : ""} without a password` }
      : undefined,
};
