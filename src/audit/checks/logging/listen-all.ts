import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** The listen_addresses entries that mean every interface. */
const ALL_INTERFACES: readonly string[] = ["*", "0.0.0.0", "::", "0:0:0:0:0:0:0:0"];

/** `listen_addresses = '*'` (or 0.0.0.0, ::): the server answers on every interface of the host. */
export const listenAll: AuditCheck = {
  id: "logging/listen-all",
  title: "The server listens on every interface",
  layer: "network",
  severity: "medium",
  soc2: ["CC6.1", "CC6.6"],
  cis: "5.2",
  scope: "server",
  why: "Listening on every interface exposes the server on networks it was never meant for (a management network, a new interface, a container bridge), leaving pg_hba.conf as the only barrier; binding only the addresses clients use keeps the rest unreachable.",
  fix: "ALTER SYSTEM SET listen_addresses = 'localhost, <the address clients connect to>'; -- then restart the server",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const addresses = (settingValue(settings, "listen_addresses") ?? "")
      .split(",")
      .map((address) => address.trim().replace(/^"(.*)"$/, "$1"));
    const wildcards = addresses.filter((address) => ALL_INTERFACES.includes(address));
    if (wildcards.length === 0) return [];
    return [
      {
        subject: "listen_addresses",
        message: `listen_addresses includes ${wildcards.map((address) => `'${address}'`).join(", ")}: every interface`,
        evidence: [settingEvidence(settings, "listen_addresses")],
      },
    ];
  },
};
