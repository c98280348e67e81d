import { Command, Option } from "commander";

import { type AuditTarget, targetName } from "../../../audit/audit-target.js";
import { ALL_CHECKS } from "../../../audit/checks/index.js";
import { renderText } from "../../../audit/report/render-text.js";
import { runAudit } from "../../../audit/run-audit.js";
import { resolveConnection } from "../../../pg/conninfo/resolve.js";
import { checkConn,CONN_FORMS_HELP } from "../../conn-url.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { versionLine } from "../../version.js";

interface Options {
  conn: string[];
  pgdata?: string;
}

export function auditCommand(): Command {
  const command = new Command("audit")
    .addOption(
      new Option("--conn <string>", `a server to audit (repeat for several): ${CONN_FORMS_HELP}`)
        .argParser((value: string, previous: string[] | undefined) => {
          checkConn(value);
          return [...(previous ?? []), value];
        })
        .default([]),
    )
    .addOption(new Option("--pgdata <dir>", "the data directory, when auditing on the server's host"))
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]))
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const conns = options.conn.length > 0 ? options.conn : [undefined];
      const targets: AuditTarget[] = conns.map((conn) => {
        const connection = resolveConnection(conn, { env: ctx.env, source: "--conn" });
        for (const warning of connection.warnings) ctx.output.warn(warning);
        return {
          kind: "server",
          name: targetName(connection),
          connection,
          ...(options.pgdata === undefined ? {} : { pgdata: options.pgdata }),
        };
      });
      const report = await runAudit(targets, {
        now: ctx.now,
        checks: ALL_CHECKS,
        version: versionLine().replace(/^pgwarden /, ""),
      });
      if (ctx.output.format === "json") ctx.output.json({ ...report });
      else ctx.output.data(renderText(report));
    });
  return describe(command, {
    summary: "audit live servers: evidence-based checks mapped to the four layers, SOC 2 and CIS",
    description: `Read a running server's settings, rules, roles and the certificate it serves, and judge them with
every check of the audit. Read-only: nothing is changed on the server.`,
    examples: ["PGPASSWORD=... pgwarden audit --conn postgresql://postgres@127.0.0.1:5432/postgres"],
  });
}
