import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";
import { writesLogFiles } from "./log-destinations.js";

/** Group read (0640, for a log-reading group) is accepted; group write or anything for others is not. */
const TOO_OPEN_MODE_BITS = 0o027;

/** log_file_mode lets other OS users read (or group members alter) the log files. */
export const logFileMode: AuditCheck = settingCheck({
  id: "logging/log-file-mode",
  title: "Log files are readable by other users",
  layer: "data",
  severity: "medium",
  soc2: ["CC7.2"],
  cis: "3.1.6",
  why: "Server logs hold statements (an ALTER ROLE ... PASSWORD in clear when log_statement logs DDL), queries' parameters and client addresses: other OS users must not read them, and nobody but the server should be able to alter them. 0600 is the default; 0640 is accepted for a log-reading group.",
  fix: "ALTER SYSTEM SET log_file_mode = '0600'; SELECT pg_reload_conf();",
  setting: "log_file_mode",
  isWeak: (mode, settings) => writesLogFiles(settings) && (Number.parseInt(mode, 8) & TOO_OPEN_MODE_BITS) !== 0,
  message: (mode) =>
    `log_file_mode is ${mode}: the log files are open to ${(Number.parseInt(mode, 8) & 0o007) !== 0 ? "every OS user" : "the group to write"}`,
  shownWith: ["logging_collector"],
});
