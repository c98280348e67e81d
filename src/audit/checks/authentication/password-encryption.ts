import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** `password_encryption` other than scram-sha-256: every password set from now on is stored as md5. */
export const passwordEncryption: AuditCheck = settingCheck({
  id: "authentication/password-encryption",
  title: "New passwords are not stored as SCRAM",
  layer: "authentication",
  severity: "high",
  soc2: ["CC6.1"],
  cis: "5.12",
  why: "With password_encryption = md5 every password set in plain text is stored as an md5 secret: password-equivalent (whoever reads it logs in through md5 authentication), salted only with the role name, one md5 a guess to crack, and deprecated since PostgreSQL 18.",
  fix: "ALTER SYSTEM SET password_encryption = 'scram-sha-256'; SELECT pg_reload_conf();",
  setting: "password_encryption",
  isWeak: (value) => value !== "scram-sha-256",
  message: (value) =>
    `password_encryption is ${value}: passwords set from now on are stored as ${value === "on" ? "md5" : value} secrets`,
});
