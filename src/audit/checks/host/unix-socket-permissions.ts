import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** unix_socket_permissions lets every local OS user reach the server's socket (0777 is the default). */
export const unixSocketPermissions: AuditCheck = {
  id: "host/unix-socket-permissions",
  title: "Every local user can reach the Unix socket",
  layer: "network",
  severity: "low",
  soc2: ["CC6.1"],
  cis: "2.6",
  scope: "server",
  why: "With unix_socket_permissions granting others (0777, the default), every process on the host can try to log in through the socket, leaving the local rules of pg_hba.conf as the only barrier; 0770 limits it to the server's group (add the users that need it), 0700 to the server's own OS user.",
  fix: "ALTER SYSTEM SET unix_socket_permissions = '0770'; -- then restart the server",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const mode = settingValue(settings, "unix_socket_permissions");
    const directories = settingValue(settings, "unix_socket_directories");
    if (mode === undefined || directories === undefined || directories.trim() === "") return [];
    if ((Number.parseInt(mode, 8) & 0o007) === 0) return [];
    return [
      {
        subject: "unix_socket_permissions",
        message: `unix_socket_permissions is ${mode}: every local OS user can connect to the socket`,
        evidence: [
          settingEvidence(settings, "unix_socket_permissions"),
          settingEvidence(settings, "unix_socket_directories"),
        ],
      },
    ];
  },
};
