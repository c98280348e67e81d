import { Command } from "commander";

import type { Noun } from "../../noun.js";

export const pgNoun: Noun = {
  command: () =>
    new Command("pg").summary("work on a PostgreSQL cluster").description("Deploy TLS into PostgreSQL clusters."),
  verbs: {
    tls: async () => (await import("./tls.js")).pgTlsCommand(),
    conninfo: async () => (await import("./conninfo.js")).pgConninfoCommand(),
    sessions: async () => (await import("./sessions.js")).pgSessionsCommand(),
  },
};
