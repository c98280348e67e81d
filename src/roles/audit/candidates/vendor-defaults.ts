import { PIGSTY_DEFAULT_PASSWORDS } from "../../../config/pigsty-defaults.js";

/**
 * Passwords that ship in vendors' configurations and documentation, which attackers try
 * first. The Pigsty ones are from its security guide (reference 004: "You MUST change
 * these passwords"), its sample users and the examples of its access-control guide
 * (reference 001), which people paste as they are.
 */
export const VENDOR_DEFAULT_PASSWORDS: readonly string[] = [
  // Pigsty defaults: pg_admin_password, pg_monitor_password, pg_replication_password,
  // then patroni_password, grafana/haproxy admin, MinIO access and secret key.
  ...PIGSTY_DEFAULT_PASSWORDS.map(([, value]) => value),
  "Patroni.API",
  "pigsty",
  "minioadmin",
  // Pigsty's sample business users and pgBackRest's MinIO user.
  "DBUser.Meta",
  "DBUser.Viewer",
  "S3User.Backup",
  // Examples printed in Pigsty's guides.
  "Pleas3-ChangeThisPwd",
  "Make.3ure-Compl1ance",
  "YourSecurePassword123!",
  "AnotherSecurePass456!",
  "ReplicationPass789!",
  "SecureDBAPassword2024!",
  "SecureMonitorPass2024!",
  "SecureReplPass2024!",
  "ReportUser123",
  "AppUser456",
  "AdminUser789",
  // PostgreSQL itself, its Docker image's documented example, Patroni's sample configuration.
  "postgres",
  "mysecretpassword",
  "example",
  "zalando",
  "rep-pass",
  "rewind_password",
  "admin",
];
