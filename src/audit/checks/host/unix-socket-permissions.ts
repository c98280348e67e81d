import { type AuditCheck } from "../../audit-check.js";
import { settingValue } from "../../facts/settings.js";
import { settingCheck } from "../setting-check.js";

/** unix_socket_permissions lets every local OS user reach the server's socket (0777 is the default). */
export const unixSocketPermissions: AuditCheck = settingCheck({
  id: "host/unix-socket-permissions",
  title: "Every local user can reach the Unix socket",
  layer: "network",
  severity: "low",
  soc2: ["CC6.1"],
  cis: "2.6",
  why: "With unix_socket_permissions granting others (0777, the default), every process on the host can try to log in through the socket, leaving the local rules of pg_hba.conf as the only barrier; 0770 limits it to the server's group (add the users that need it), 0700 to the server's own OS user.",
  fix: "ALTER SYSTEM SET unix_socket_permissions = '0770'; -- then restart the server",
  setting: "unix_socket_permissions",
  isWeak: (mode, settings) =>
    (settingValue(settings, "unix_socket_directories") ?? "").trim() !== "" && (Number.parseInt(mode, 8) & 0o007) !== 0,
  message: (mode) => `unix_socket_permissions is ${mode}: every local OS user can connect to the socket`,
  shownWith: ["unix_socket_directories"],
});
