import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** The listen_addresses entries that mean every interface. */
const ALL_INTERFACES: readonly string[] = ["*", "0.0.0.0", "::", "0:0:0:0:0:0:0:0"];

/** The entries of a listen_addresses value that mean every interface (quotes removed). */
function wildcards(value: string): string[] {
  return value
    .split(",")
    .map((address) => address.trim().replace(/^"(.*)"$/, "$1"))
    .filter((address) => ALL_INTERFACES.includes(address));
}

/** `listen_addresses = '*'` (or 0.0.0.0, ::): the server answers on every interface of the host. */
export const listenAll: AuditCheck = settingCheck({
  id: "logging/listen-all",
  title: "The server listens on every interface",
  layer: "network",
  severity: "medium",
  soc2: ["CC6.1", "CC6.6"],
  cis: "5.2",
  why: "Listening on every interface exposes the server on networks it was never meant for (a management network, a new interface, a container bridge), leaving pg_hba.conf as the only barrier; binding only the addresses clients use keeps the rest unreachable.",
  fix: "ALTER SYSTEM SET listen_addresses = 'localhost, <the address clients connect to>'; -- then restart the server",
  setting: "listen_addresses",
  isWeak: (value) => wildcards(value).length > 0,
  message: (value) =>
    `listen_addresses includes ${wildcards(value)
      .map((address) => `'${address}'`)
      .join(", ")}: every interface`,
});
