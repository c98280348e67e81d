import type { HbaRuleSpec } from "./hba-rules/rule-spec.js";
import type { RoleEntry } from "./role-entry.js";
import { type InventoryVars, PASSWORD_KEYS, type PasswordKey } from "./schema.js";

/**
 * Pigsty's role defaults for the keys pgwarden reads, so that an inventory which does not set
 * them (pigsty.yml usually does not) renders as Pigsty renders it.
 *
 * Source: pgsty/pigsty roles/pgsql/defaults/main.yml at commit 0a6fec9c61e76033e0e76aebaa128d57c26781e5
 * (Pigsty 4.x, the `order` generation of the default rule sets). node_firewall_intranet is the
 * copy that file keeps of the node role's (NODE_SEC, "Reference"), whose order the rendered
 * `intra` lines follow (the template's own fallback has another order). The role model
 * (pg_default_roles, pg_default_privileges) and the system users' passwords come from the
 * same file; roles/pgsql/templates/pg-init-roles.sql (read at commit
 * 287d7ca47eca718edb5ca88d6ed5c96a8eb147de) gives pg_admin_password, pg_monitor_password and
 * pg_replication_password to pg_admin_username, pg_monitor_username and
 * pg_replication_username, and pg_dbsu_password '' means the dbsu has no password.
 */
const BUILT_IN = "pigsty roles/pgsql/defaults/main.yml";

/** Where Pigsty's defaults are written, for messages about a default the inventory leaves in force. */
export const PIGSTY_DEFAULTS_ORIGIN = "roles/pgsql/defaults/main.yml";

const rules = (key: string, specs: Omit<HbaRuleSpec, "source">[]): readonly HbaRuleSpec[] =>
  specs.map((spec, index) => ({ ...spec, source: { file: `${BUILT_IN} (${key})`, line: index + 1 } }));

/**
 * No source: a default role is placed where it comes into force, the entry of the cluster whose
 * inventory leaves pg_default_roles unset (role-model.ts), never in a file the person cannot open.
 */
const roles = (specs: readonly RoleEntry[]): readonly RoleEntry[] => specs;

export const PIGSTY_DEFAULTS = {
  pg_dbsu: "postgres",
  pg_replication_username: "replicator",
  pg_monitor_username: "dbuser_monitor",
  pg_admin_username: "dbuser_dba",
  pg_pwd_enc: "scram-sha-256",
  pg_dbsu_password: "",
  pg_replication_password: "DBUser.Replicator",
  pg_admin_password: "DBUser.DBA",
  pg_monitor_password: "DBUser.Monitor",
  pg_default_roles: roles([
    { name: "dbrole_readonly", login: false, comment: "role for global read-only access" },
    { name: "dbrole_offline", login: false, comment: "role for restricted read-only access" },
    {
      name: "dbrole_readwrite",
      login: false,
      roles: ["dbrole_readonly"],
      comment: "role for global read-write access",
    },
    {
      name: "dbrole_admin",
      login: false,
      roles: ["pg_monitor", "dbrole_readwrite"],
      comment: "role for object creation",
    },
    { name: "postgres", superuser: true, comment: "system superuser" },
    { name: "replicator", replication: true, roles: ["pg_monitor", "dbrole_readonly"], comment: "system replicator" },
    {
      name: "dbuser_dba",
      superuser: true,
      roles: ["dbrole_admin"],
      pgbouncer: true,
      pool_mode: "session",
      pool_connlimit: 16,
      comment: "pgsql admin user",
    },
    {
      name: "dbuser_monitor",
      roles: ["pg_monitor", "dbrole_readonly"],
      pgbouncer: true,
      parameters: { log_min_duration_statement: 1000 },
      pool_mode: "session",
      pool_connlimit: 8,
      comment: "pgsql monitor user",
    },
  ]),
  pg_default_privileges: [
    "GRANT USAGE      ON SCHEMAS    TO  dbrole_readonly",
    "GRANT SELECT     ON TABLES     TO  dbrole_readonly",
    "GRANT SELECT     ON SEQUENCES  TO  dbrole_readonly",
    "GRANT EXECUTE    ON FUNCTIONS  TO  dbrole_readonly",
    "GRANT USAGE      ON SCHEMAS    TO  dbrole_offline",
    "GRANT SELECT     ON TABLES     TO  dbrole_offline",
    "GRANT SELECT     ON SEQUENCES  TO  dbrole_offline",
    "GRANT EXECUTE    ON FUNCTIONS  TO  dbrole_offline",
    "GRANT INSERT     ON TABLES     TO  dbrole_readwrite",
    "GRANT UPDATE     ON TABLES     TO  dbrole_readwrite",
    "GRANT DELETE     ON TABLES     TO  dbrole_readwrite",
    "GRANT USAGE      ON SEQUENCES  TO  dbrole_readwrite",
    "GRANT UPDATE     ON SEQUENCES  TO  dbrole_readwrite",
    "GRANT TRUNCATE   ON TABLES     TO  dbrole_admin",
    "GRANT REFERENCES ON TABLES     TO  dbrole_admin",
    "GRANT TRIGGER    ON TABLES     TO  dbrole_admin",
    "GRANT CREATE     ON SCHEMAS    TO  dbrole_admin",
  ],
  pg_offline_query: false,
  pg_localhost: "/var/run/postgresql",
  node_firewall_intranet: ["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12"],
  pg_hba_rules: [],
  pgb_hba_rules: [],
  pg_default_hba_rules: rules("pg_default_hba_rules", [
    {
      user: "${dbsu}",
      db: "all",
      addr: "local",
      auth: "ident",
      title: "dbsu access via local os user ident",
      order: 100,
    },
    {
      user: "${dbsu}",
      db: "replication",
      addr: "local",
      auth: "ident",
      title: "dbsu replication from local os ident",
      order: 150,
    },
    {
      user: "${repl}",
      db: "replication",
      addr: "localhost",
      auth: "pwd",
      title: "replicator replication from localhost",
      order: 200,
    },
    {
      user: "${repl}",
      db: "replication",
      addr: "intra",
      auth: "pwd",
      title: "replicator replication from intranet",
      order: 250,
    },
    {
      user: "${repl}",
      db: "postgres",
      addr: "intra",
      auth: "pwd",
      title: "replicator postgres db from intranet",
      order: 300,
    },
    {
      user: "${monitor}",
      db: "all",
      addr: "localhost",
      auth: "pwd",
      title: "monitor from localhost with password",
      order: 350,
    },
    {
      user: "${monitor}",
      db: "all",
      addr: "infra",
      auth: "pwd",
      title: "monitor from infra host with password",
      order: 400,
    },
    { user: "${admin}", db: "all", addr: "intra", auth: "pwd", title: "admin @ intranet nodes with pwd", order: 450 },
    { user: "${admin}", db: "all", addr: "world", auth: "ssl", title: "admin @ everywhere with ssl & pwd", order: 500 },
    {
      user: "+dbrole_readonly",
      db: "all",
      addr: "localhost",
      auth: "pwd",
      title: "pgbouncer read/write via local socket",
      order: 550,
    },
    {
      user: "+dbrole_readonly",
      db: "all",
      addr: "intra",
      auth: "pwd",
      title: "read/write biz user via password",
      order: 600,
    },
    {
      user: "+dbrole_offline",
      db: "all",
      addr: "intra",
      auth: "pwd",
      title: "allow etl offline tasks from intranet",
      order: 650,
    },
  ]),
  pgb_default_hba_rules: rules("pgb_default_hba_rules", [
    {
      user: "${dbsu}",
      db: "pgbouncer",
      addr: "local",
      auth: "peer",
      title: "dbsu local admin access with os ident",
      order: 100,
    },
    {
      user: "all",
      db: "all",
      addr: "localhost",
      auth: "pwd",
      title: "allow all user local access with pwd",
      order: 150,
    },
    {
      user: "${monitor}",
      db: "pgbouncer",
      addr: "intra",
      auth: "pwd",
      title: "monitor access via intranet with pwd",
      order: 200,
    },
    {
      user: "${monitor}",
      db: "all",
      addr: "world",
      auth: "deny",
      title: "reject all other monitor access addr",
      order: 250,
    },
    {
      user: "${admin}",
      db: "all",
      addr: "intra",
      auth: "pwd",
      title: "admin access via intranet with pwd",
      order: 300,
    },
    {
      user: "${admin}",
      db: "all",
      addr: "world",
      auth: "deny",
      title: "reject all other admin access addr",
      order: 350,
    },
    { user: "all", db: "all", addr: "intra", auth: "pwd", title: "allow all user intra access with pwd", order: 400 },
  ]),
} satisfies InventoryVars;

/** The system users' passwords Pigsty ships, with their keys, in PASSWORD_KEYS' order: published, so never safe to keep. */
export const PIGSTY_DEFAULT_PASSWORDS: readonly (readonly [PasswordKey, string])[] = PASSWORD_KEYS.flatMap((key) => {
  const value = PIGSTY_DEFAULTS[key];
  // pg_dbsu_password '' is "no password", not a password.
  return typeof value === "string" && value !== "" ? [[key, value] as const] : [];
});
