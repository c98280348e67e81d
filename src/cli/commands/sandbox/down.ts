import { resolve } from "node:path";

import { Command, Option } from "commander";

import { sandboxDown } from "../../../pg/sandbox.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { defaultSandboxDir, sandboxDirOption } from "./common.js";

export function sandboxDownCommand(): Command {
  const command = new Command("down")
    .addOption(sandboxDirOption())
    .addOption(
      new Option(
        "--purge",
        "also delete what sandbox up made there (data, socket, postgres.log, sandbox.json), then the directory if nothing else is in it; " +
          "other files stay, named in a warning",
      ),
    )
    .action(async (options: { dir?: string; purge?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dir = resolve(options.dir ?? defaultSandboxDir(ctx.env));
      const result = await sandboxDown(dir, { purge: options.purge });
      if (options.purge && result.left.length > 0) {
        ctx.output.warn(
          `${result.purged ? "deleted what sandbox up made in" : "nothing deleted: no sandbox pgwarden made is in"} ${dir}; ` +
            `left what it did not make: ${result.left.join(", ")}`,
        );
      }
      if (ctx.output.format === "json") ctx.output.json(result);
      else {
        const purged = result.purged ? (result.left.length ? ", its files deleted" : ", deleted") : "";
        ctx.output.data(`sandbox ${dir}: ${result.wasRunning ? "stopped" : "was not running"}${purged}`);
      }
    });
  return describe(command, {
    summary: "stop the sandbox (and delete it with --purge)",
    description:
      "Stop the sandbox's PostgreSQL (fast shutdown). Its data stays for the next sandbox up unless --purge is given. --purge deletes only " +
      "what sandbox up made in --dir (its data directory, socket directory, postgres.log and sandbox.json), and the directory once empty: " +
      "a file of yours there stays, and is named in a warning; a hand-written sandbox.json gets nothing deleted.",
    examples: ["pgwarden sandbox down", "pgwarden sandbox down --dir /tmp/sb2 --purge"],
  });
}
