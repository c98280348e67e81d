import { Command } from "commander";
import { passwordAuditCommand } from "./audit.js";
import { passwordGenerateCommand } from "./generate.js";
import { passwordHashCommand } from "./hash.js";

export function passwordCommand(): Command {
  return new Command("password")
    .summary("passwords: hash into verifiers, generate, audit a server's")
    .description("Passwords without plaintext: turn one into the SCRAM verifier PostgreSQL stores, generate strong ones, and audit a server's stored secrets offline for weak, default and outdated ones.")
    .addCommand(passwordHashCommand())
    .addCommand(passwordGenerateCommand())
    .addCommand(passwordAuditCommand());
}
