import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** `log_hostname = on`: the log names clients by their reverse DNS instead of their address. */
export const logHostname: AuditCheck = settingCheck({
  id: "logging/log-hostname",
  title: "Clients are logged by host name",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.23",
  why: "With log_hostname on, %h and the connection lines show the name reverse DNS gives for the client address, a name whoever controls that address's DNS chooses, instead of the address itself; each connection also waits for the lookup.",
  fix: "ALTER SYSTEM SET log_hostname = off; SELECT pg_reload_conf();",
  setting: "log_hostname",
  isWeak: (value) => value === "on",
  message: () => "log_hostname is on: clients are logged by the name their DNS gives",
});
