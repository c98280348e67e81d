import { Command } from "commander";

import type { Noun } from "../../noun.js";
import { crlWriteCommand } from "./write.js";

export const crlNoun: Noun = {
  command: () =>
    // `pgwarden crl [--days N]` alone runs the write verb: regenerating the CRLs is what the noun is for.
    new Command("crl")
      .summary("revocation lists: write them (the default verb) and check them")
      .description(
        "Certificate revocation lists, one per issuer (crl/<issuer>.crl) and the combined file servers install " +
          "(crl/combined.crl). pgwarden crl alone is pgwarden crl write.",
      )
      .addCommand(crlWriteCommand(), { isDefault: true }),
  verbs: {
    status: async () => (await import("./status.js")).crlStatusCommand(),
  },
};
