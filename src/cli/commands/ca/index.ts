import { Command } from "commander";

import type { Noun } from "../../noun.js";

export const caNoun: Noun = {
  command: () =>
    new Command("ca")
      .summary("the certificate authority")
      .description("Create, adopt and show the local certificate authority."),
  verbs: {
    init: async () => (await import("./init.js")).caInitCommand(),
    show: async () => (await import("./show.js")).caShowCommand(),
    intermediate: async () => (await import("./intermediate.js")).caIntermediateCommand(),
    rotate: async () => (await import("./rotate.js")).caRotateCommand(),
    retire: async () => (await import("./retire.js")).caRetireCommand(),
  },
};
