import { Command } from "commander";

import type { Noun } from "../../noun.js";
import { recoverBeforeReading } from "./recover.js";

export const certNoun: Noun = {
  command: () =>
    new Command("cert")
      .summary("issue, sign, inspect, verify, list and export certificates")
      .description("Certificates signed by the local CA for servers, database users and cluster peers.")
      .hook("preAction", recoverBeforeReading),
  verbs: {
    issue: async () => (await import("./issue.js")).certIssueCommand(),
    sign: async () => (await import("./sign.js")).certSignCommand(),
    inspect: async () => (await import("./inspect.js")).certInspectCommand(),
    verify: async () => (await import("./verify.js")).certVerifyCommand(),
    list: async () => (await import("./list.js")).certListCommand(),
    export: async () => (await import("./export.js")).certExportCommand(),
    revoke: async () => (await import("./revoke.js")).certRevokeCommand(),
    renew: async () => (await import("./renew.js")).certRenewCommand(),
    "needs-renewal": async () => (await import("./needs-renewal.js")).certNeedsRenewalCommand(),
  },
};
