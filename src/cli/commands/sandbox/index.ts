import { Command } from "commander";

import type { Noun } from "../../noun.js";

export const sandboxNoun: Noun = {
  command: () =>
    new Command("sandbox")
      .summary("a throwaway secured PostgreSQL on loopback")
      .description("Start, stop and check a throwaway PostgreSQL on 127.0.0.1 that is secured from its first start."),
  verbs: {
    up: async () => (await import("./up.js")).sandboxUpCommand(),
    down: async () => (await import("./down.js")).sandboxDownCommand(),
    status: async () => (await import("./status.js")).sandboxStatusCommand(),
  },
};
