import type { HbaRuleSpec } from "../hba/render/rule-spec.js";
import type { InventoryVars } from "./schema.js";

/**
 * Pigsty's role defaults for the keys pgwarden reads, so that an inventory which does not set
 * them (pigsty.yml usually does not) renders as Pigsty renders it.
 *
 * Source: pgsty/pigsty roles/pgsql/defaults/main.yml at commit 0a6fec9c61e76033e0e76aebaa128d57c26781e5
 * (Pigsty 4.x, the `order` generation of the default rule sets). node_firewall_intranet is not
 * here: the template's own default applies (see DEFAULT_INTRANET).
 */
const BUILT_IN = "pigsty roles/pgsql/defaults/main.yml";

const rules = (key: string, specs: Omit<HbaRuleSpec, "source">[]): readonly HbaRuleSpec[] =>
  specs.map((spec, index) => ({ ...spec, source: { file: `${BUILT_IN} (${key})`, line: index + 1 } }));

export const PIGSTY_DEFAULTS = {
  pg_dbsu: "postgres",
  pg_replication_username: "replicator",
  pg_monitor_username: "dbuser_monitor",
  pg_admin_username: "dbuser_dba",
  pg_pwd_enc: "scram-sha-256",
  pg_offline_query: false,
  pg_localhost: "/var/run/postgresql",
  pg_hba_rules: [],
  pgb_hba_rules: [],
  pg_default_hba_rules: rules("pg_default_hba_rules", [
    { user: "${dbsu}", db: "all", addr: "local", auth: "ident", title: "dbsu access via local os user ident", order: 100 },
    { user: "${dbsu}", db: "replication", addr: "local", auth: "ident", title: "dbsu replication from local os ident", order: 150 },
    { user: "${repl}", db: "replication", addr: "localhost", auth: "pwd", title: "replicator replication from localhost", order: 200 },
    { user: "${repl}", db: "replication", addr: "intra", auth: "pwd", title: "replicator replication from intranet", order: 250 },
    { user: "${repl}", db: "postgres", addr: "intra", auth: "pwd", title: "replicator postgres db from intranet", order: 300 },
    { user: "${monitor}", db: "all", addr: "localhost", auth: "pwd", title: "monitor from localhost with password", order: 350 },
    { user: "${monitor}", db: "all", addr: "infra", auth: "pwd", title: "monitor from infra host with password", order: 400 },
    { user: "${admin}", db: "all", addr: "intra", auth: "pwd", title: "admin @ intranet nodes with pwd", order: 450 },
    { user: "${admin}", db: "all", addr: "world", auth: "ssl", title: "admin @ everywhere with ssl & pwd", order: 500 },
    { user: "+dbrole_readonly", db: "all", addr: "localhost", auth: "pwd", title: "pgbouncer read/write via local socket", order: 550 },
    { user: "+dbrole_readonly", db: "all", addr: "intra", auth: "pwd", title: "read/write biz user via password", order: 600 },
    { user: "+dbrole_offline", db: "all", addr: "intra", auth: "pwd", title: "allow etl offline tasks from intranet", order: 650 },
  ]),
  pgb_default_hba_rules: rules("pgb_default_hba_rules", [
    { user: "${dbsu}", db: "pgbouncer", addr: "local", auth: "peer", title: "dbsu local admin access with os ident", order: 100 },
    { user: "all", db: "all", addr: "localhost", auth: "pwd", title: "allow all user local access with pwd", order: 150 },
    { user: "${monitor}", db: "pgbouncer", addr: "intra", auth: "pwd", title: "monitor access via intranet with pwd", order: 200 },
    { user: "${monitor}", db: "all", addr: "world", auth: "deny", title: "reject all other monitor access addr", order: 250 },
    { user: "${admin}", db: "all", addr: "intra", auth: "pwd", title: "admin access via intranet with pwd", order: 300 },
    { user: "${admin}", db: "all", addr: "world", auth: "deny", title: "reject all other admin access addr", order: 350 },
    { user: "all", db: "all", addr: "intra", auth: "pwd", title: "allow all user intra access with pwd", order: 400 },
  ]),
} satisfies InventoryVars;
