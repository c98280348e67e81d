import { Command } from "commander";
import { caInitCommand } from "./init.js";
import { caShowCommand } from "./show.js";

export function caCommand(): Command {
  return new Command("ca").summary("the certificate authority").description("Create, adopt and show the local certificate authority.").addCommand(caInitCommand()).addCommand(caShowCommand());
}
