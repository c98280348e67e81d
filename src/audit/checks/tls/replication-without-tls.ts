import { PgwardenError } from "../../../core/errors.js";
import { parseConninfo } from "../../../pg/conninfo/parse.js";
import { type AuditCheck } from "../../audit-check.js";
import { settingsFact, settingValue } from "../../facts/settings.js";

/** sslmodes that verify the primary's certificate; `require` encrypts but would talk to anyone. */
const VERIFIED = new Set(["verify-ca", "verify-full"]);

/**
 * A standby's primary_conninfo without a verifying sslmode (pgdsat 7.5): the replication stream,
 * which carries every change to every table and the replication role's password, may travel in
 * clear text (disable, allow, prefer: libpq's default) or to whoever answers (require). Only the
 * sslmode and host are shown: primary_conninfo may hold a password.
 */
export const replicationWithoutTls: AuditCheck = {
  id: "tls/replication-without-tls",
  title: "Replication from the primary is not verified TLS",
  layer: "network",
  severity: "high",
  soc2: ["CC6.6", "CC6.7"],
  cis: "7.5",
  scope: "server",
  why: "The WAL stream a standby receives is every change to every table; with sslmode prefer (libpq's default) a plain connection is used whenever TLS fails, and with require any server that answers gets the replication password.",
  fix: "add sslmode=verify-full sslrootcert=<the CA's file> to primary_conninfo (ALTER SYSTEM SET primary_conninfo = '...'; SELECT pg_reload_conf();), with a server certificate on the primary that names the host it is reached by",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const conninfo = settingValue(settings, "primary_conninfo");
    if (!conninfo) return [];
    let keywords: ReadonlyMap<string, string>;
    try {
      keywords = parseConninfo(conninfo, "primary_conninfo").keywords;
    } catch (error) {
      if (error instanceof PgwardenError) return [];
      throw error;
    }
    const sslmode = keywords.get("sslmode") ?? "prefer (libpq's default: not set)";
    if (VERIFIED.has(sslmode)) return [];
    const setting = settings.get("primary_conninfo");
    return [
      {
        subject: "primary_conninfo",
        severity: sslmode === "require" ? "medium" : "high",
        message: `the standby streams from ${keywords.get("host") ?? "its primary"} with sslmode ${sslmode}`,
        evidence: [
          {
            label: "setting primary_conninfo",
            value: `host=${keywords.get("host") ?? "(default)"} sslmode=${sslmode} (other keywords not shown: it may hold a password)`,
            ...(setting?.file ? { source: setting.file } : {}),
          },
        ],
      },
    ];
  },
};
