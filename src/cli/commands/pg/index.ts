import { Command } from "commander";
import { pgTlsCommand } from "./tls.js";

export function pgCommand(): Command {
  return new Command("pg").summary("work on a PostgreSQL cluster").description("Deploy TLS into PostgreSQL clusters.").addCommand(pgTlsCommand());
}
