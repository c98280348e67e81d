import { Command } from "commander";
import { sandboxDownCommand } from "./down.js";
import { sandboxStatusCommand } from "./status.js";
import { sandboxUpCommand } from "./up.js";

export function sandboxCommand(): Command {
  return new Command("sandbox")
    .summary("a throwaway secured PostgreSQL on loopback")
    .description("Start, stop and check a throwaway PostgreSQL on 127.0.0.1 that is secured from its first start.")
    .addCommand(sandboxUpCommand())
    .addCommand(sandboxDownCommand())
    .addCommand(sandboxStatusCommand());
}
