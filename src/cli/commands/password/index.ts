import { Command } from "commander";

import type { Noun } from "../../noun.js";

export const passwordNoun: Noun = {
  command: () =>
    new Command("password")
      .summary("passwords: hash into verifiers, generate, audit a server's")
      .description(
        "Passwords without plaintext: turn one into the SCRAM verifier PostgreSQL stores, generate strong ones, and audit a server's stored secrets offline for weak, default and outdated ones.",
      ),
  verbs: {
    hash: async () => (await import("./hash.js")).passwordHashCommand(),
    generate: async () => (await import("./generate.js")).passwordGenerateCommand(),
    audit: async () => (await import("./audit.js")).passwordAuditCommand(),
  },
};
