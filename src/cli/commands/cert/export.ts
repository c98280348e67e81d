import { Command, Option } from "commander";
import { usageError } from "../../../errors.js";
import { readCertificateFile } from "../../../pki/certificate-authority.js";
import { exportClientBundle, type BundleFormat } from "../../../pki/client-bundle.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { keyValueLines } from "../../render.js";

interface Options {
  cn: string;
  format: string;
  out: string;
  group?: string;
  host: string;
  port: string;
  dbname: string;
}

export function certExportCommand(): Command {
  const command = new Command("export")
    .addOption(new Option("--cn <role>", "the client certificate's CN (the role)").makeOptionMandatory())
    .addOption(new Option("--format <format>", "pem: libpq files; pk8: JDBC's DER PKCS#8 key (for JSON output put --format json before the command)").choices(["pem", "pk8"]).default("pem"))
    .addOption(new Option("--out <dir>", "directory to write the bundle to").makeOptionMandatory())
    .addOption(new Option("--group <name>", "folder under the PKI directory").default("client"))
    .addOption(new Option("--host <host>", "server host for the printed connection strings").default("localhost"))
    .addOption(new Option("--port <port>", "server port for the printed connection strings").default("5432"))
    .addOption(new Option("--dbname <name>", "database for the printed connection strings").default("postgres"))
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError("bad-port", `--port must be a TCP port from 1 to 65535, not "${options.port}"`);
      const { pem: rootPem } = await readCertificateFile(ctx.layout.caCert, "CA certificate");
      const result = await exportClientBundle(ctx.layout, rootPem, {
        commonName: options.cn,
        format: options.format as BundleFormat,
        outDir: options.out,
        group: options.group,
        host: options.host,
        port,
        dbname: options.dbname,
        now: ctx.now,
      });
      result.files.filter((file) => file.backup).forEach((file) => ctx.output.info(`pgwarden: kept the previous ${file.path} as ${file.backup}`));
      if (ctx.output.format === "json") {
        ctx.output.json(result);
        return;
      }
      ctx.output.data(
        `${result.files.map((file) => `${file.path} (${file.mode.toString(8).padStart(4, "0")})`).join("\n")}\n\n${keyValueLines([
          ["psql / libpq", result.libpq === undefined ? undefined : `psql "${result.libpq}"`],
          ["JDBC", result.jdbc],
        ])}`,
      );
    });
  return describe(command, {
    description: `Export a client certificate for a database user: the libpq bundle (postgresql.crt, postgresql.key 0600,
root.crt) or, with --format pk8, the DER PKCS#8 key JDBC wants (postgresql.pk8), and print the connection
strings with sslmode=verify-full. A key that group or others can read is refused.`,
    examples: [
      "pgwarden cert export --cn dbuser_dba --out ~/.postgresql",
      "pgwarden cert export --cn app --format pk8 --out ./jdbc --host pg-meta-1 --dbname meta",
    ],
  });
}
