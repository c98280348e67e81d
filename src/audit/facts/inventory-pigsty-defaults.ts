import { PIGSTY_DEFAULTS } from "../../config/pigsty-defaults.js";

/**
 * The commit of pgsty/pigsty whose role defaults the inventory checks read
 * (roles/<role>/defaults/main.yml): a default the inventory leaves unset is what Pigsty deploys.
 */
export const PIGSTY_DEFAULTS_COMMIT = "c73d321ddf84cf3b576d92ff1310a0b2b2c00eca";

/** One Pigsty default: its value and the line of the role file that sets it, at {@link PIGSTY_DEFAULTS_COMMIT}. */
export interface PigstyDefault {
  readonly value: unknown;
  /** `roles/pgsql/defaults/main.yml`. */
  readonly file: string;
  readonly line: number;
}

const PGSQL = "roles/pgsql/defaults/main.yml";

const inRole = (file: string, line: number, value: unknown): PigstyDefault => ({ value, file, line });

/**
 * Pigsty's defaults for the keys the inventory checks read, at {@link PIGSTY_DEFAULTS_COMMIT};
 * the system users' passwords come from config/pigsty-defaults.ts, which the rest of pgwarden
 * renders with. pg_checksum was false before Pigsty 3: an inventory written for an old
 * release that leaves it unset gets checksums only from a current one.
 */
export const INVENTORY_DEFAULTS: Readonly<Record<string, PigstyDefault>> = {
  pg_admin_password: inRole(PGSQL, 31, PIGSTY_DEFAULTS.pg_admin_password),
  pg_monitor_password: inRole(PGSQL, 33, PIGSTY_DEFAULTS.pg_monitor_password),
  pg_replication_password: inRole(PGSQL, 29, PIGSTY_DEFAULTS.pg_replication_password),
  patroni_password: inRole(PGSQL, 69, "Patroni.API"),
  patroni_ssl_enabled: inRole(PGSQL, 66, false),
  pgbouncer_sslmode: inRole(PGSQL, 208, "disable"),
  pg_listen: inRole(PGSQL, 58, "0.0.0.0"),
  pg_checksum: inRole(PGSQL, 87, true),
  pg_conf: inRole(PGSQL, 74, "oltp.yml"),
  pgbackrest_enabled: inRole(PGSQL, 171, true),
  pgbackrest_method: inRole(PGSQL, 173, "local"),
  // Only what the checks read of the default repos: the local one, and MinIO's with its cipher.
  pgbackrest_repo: inRole(PGSQL, 175, {
    local: { path: "/pg/backup" },
    minio: { type: "s3", s3_endpoint: "sss.pigsty", cipher_type: "aes-256-cbc", cipher_pass: "pgBackRest" },
  }),
  grafana_admin_password: inRole("roles/infra/defaults/main.yml", 109, "pigsty"),
  haproxy_enabled: inRole("roles/haproxy/defaults/main.yml", 5, true),
  haproxy_admin_password: inRole("roles/haproxy/defaults/main.yml", 10, "pigsty"),
  minio_access_key: inRole("roles/minio/defaults/main.yml", 16, "minioadmin"),
  minio_secret_key: inRole("roles/minio/defaults/main.yml", 17, "S3User.MinIO"),
  etcd_cluster: inRole("roles/etcd/defaults/main.yml", 6, "etcd"),
  etcd_root_password: inRole("roles/etcd/defaults/main.yml", 14, "Etcd.Root"),
};
