import { Command } from "commander";
import { certExportCommand } from "./export.js";
import { certInspectCommand } from "./inspect.js";
import { certIssueCommand } from "./issue.js";
import { certListCommand } from "./list.js";
import { certSignCommand } from "./sign.js";
import { certVerifyCommand } from "./verify.js";

export function certCommand(): Command {
  return new Command("cert")
    .summary("issue, sign, inspect, verify, list and export certificates")
    .description("Certificates signed by the local CA for servers, database users and cluster peers.")
    .addCommand(certIssueCommand())
    .addCommand(certSignCommand())
    .addCommand(certInspectCommand())
    .addCommand(certVerifyCommand())
    .addCommand(certListCommand())
    .addCommand(certExportCommand());
}
