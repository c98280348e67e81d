import { Command, Option } from "commander";
import { sandboxDown } from "../../../pg/sandbox.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { defaultSandboxDir, sandboxDirOption } from "./common.js";

export function sandboxDownCommand(): Command {
  const command = new Command("down")
    .addOption(sandboxDirOption())
    .addOption(new Option("--purge", "also delete the sandbox's directory and data"))
    .action(async (options: { dir?: string; purge?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const result = await sandboxDown(options.dir ?? defaultSandboxDir(ctx.env), { purge: options.purge });
      if (ctx.output.format === "json") ctx.output.json(result);
      else ctx.output.data(`sandbox ${result.state.dir}: ${result.wasRunning ? "stopped" : "was not running"}${result.purged ? ", deleted" : ""}`);
    });
  return describe(command, {
    summary: "stop the sandbox (and delete it with --purge)",
    description: "Stop the sandbox's PostgreSQL (fast shutdown). Its data stays for the next sandbox up unless --purge is given.",
    examples: ["pgwarden sandbox down", "pgwarden sandbox down --dir /tmp/sb2 --purge"],
  });
}
