import { Command, InvalidArgumentError, Option } from "commander";

import { usageError } from "../../../core/errors.js";
import { trustedRootsPem } from "../../../pki/authority/trust-anchors.js";
import {
  type BundleFormat,
  exportClientBundle,
  type ExportResult,
  libpqUserDir,
} from "../../../pki/trust/client-bundle.js";
import { contextOf } from "../../context.js";
import { portOption } from "../../flags.js";
import { describe } from "../../help.js";
import { keyValueLines } from "../../render.js";

interface Options {
  cn: string;
  keyFormat: string;
  out?: string;
  install?: boolean;
  group?: string;
  host: string;
  port: number;
  dbname: string;
  crl: boolean;
}

/** `--out <dir>` or `--install` (libpq's ~/.postgresql), exactly one. */
function destination(options: Options): string {
  if (options.install && options.out !== undefined)
    throw usageError("install-and-out", "give either --out <dir> or --install, not both");
  if (options.install) return libpqUserDir();
  if (options.out === undefined)
    throw usageError("no-destination", "say where the bundle goes: --out <dir>, or --install for ~/.postgresql");
  return options.out;
}

function connectionLines(result: ExportResult): string {
  return keyValueLines([
    ["libpq", result.libpq],
    ["psql", result.psql],
    ["node-postgres", result.nodePostgres],
    ["psycopg", result.psycopg],
    ["JDBC", result.jdbc ?? "export with --key-format pk8 (pgjdbc reads a DER PKCS#8 key)"],
  ]);
}

/**
 * The global --format (text or json), which used to mean the key file format here: pem or pk8 is
 * refused naming --key-format, never silently taken for another meaning.
 */
function outputFormatOption(): Option {
  return new Option("--format <format>", "output format: text or json (the key file format is --key-format)").argParser(
    (value: string) => {
      if (value === "pem" || value === "pk8")
        throw new InvalidArgumentError(`the key file format is now --key-format ${value}; --format is text or json`);
      if (value !== "text" && value !== "json") throw new InvalidArgumentError("Allowed choices are text, json.");
      return value;
    },
  );
}

export function certExportCommand(): Command {
  const command = new Command("export")
    .addOption(new Option("--cn <role>", "the client certificate's CN (the role)").makeOptionMandatory())
    .addOption(
      new Option("--key-format <format>", "pem: libpq files; pk8: also JDBC's DER PKCS#8 key (postgresql.pk8)")
        .choices(["pem", "pk8"])
        .default("pem"),
    )
    .addOption(outputFormatOption())
    .addOption(new Option("--out <dir>", "directory to write the bundle to"))
    .addOption(new Option("--install", "write the bundle into ~/.postgresql, where libpq looks by default"))
    .addOption(new Option("--group <name>", "folder under the PKI directory").default("client"))
    .addOption(new Option("--host <host>", "server host for the printed connection strings").default("localhost"))
    .addOption(portOption("server port for the printed connection strings").default(5432))
    .addOption(new Option("--dbname <name>", "database for the printed connection strings").default("postgres"))
    .addOption(
      new Option(
        "--no-crl",
        "leave out root.crl and sslcrl (for clients nobody refreshes: a stale copy refuses every server)",
      ),
    )
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const outDir = destination(options);
      // During a CA rotation, the new root and the ones not retired yet: servers of either generation verify.
      const rootPem = await trustedRootsPem(ctx.layout);
      const result = await exportClientBundle(ctx.layout, rootPem, {
        commonName: options.cn,
        format: options.keyFormat as BundleFormat,
        outDir,
        dirFlag: options.install ? "~/.postgresql" : "--out",
        group: options.group,
        host: options.host,
        port: options.port,
        dbname: options.dbname,
        now: ctx.now,
        crl: options.crl,
      });
      if (result.crl !== undefined) {
        const until = result.crl.nextUpdate ? `until ${result.crl.nextUpdate.toISOString()} (its nextUpdate)` : "";
        ctx.output.warn(
          `${result.crl.path} is a copy of crl/combined.crl, accepted by libpq ${until}: refresh it before then (re-run pgwarden cert export after pgwarden crl, or copy crl/combined.crl over it), or every connection is refused; --no-crl leaves it out`,
        );
      }
      result.files
        .filter((file) => file.backup)
        .forEach((file) => ctx.output.info(`pgwarden: kept the previous ${file.path} as ${file.backup}`));
      if (result.nodePostgres === undefined) {
        ctx.output.warn(
          `no node-postgres URL: it cannot read a database name holding "/", "?" or "#" from a URL; pass database: ${JSON.stringify(options.dbname)} in its config`,
        );
      }
      if (ctx.output.format === "json") {
        ctx.output.json(result);
        return;
      }
      ctx.output.data(
        `${result.files.map((file) => `${file.path} (${file.mode.toString(8).padStart(4, "0")})`).join("\n")}\n\n${connectionLines(result)}`,
      );
    });
  return describe(command, {
    description: `Export a client certificate for a database user: the libpq bundle (postgresql.crt, postgresql.key 0600,
root.crt) into --out <dir>, or with --install into ~/.postgresql where libpq finds it without being told; with
--key-format pk8 also the DER PKCS#8 key JDBC wants (postgresql.pk8). --format is the output format (text or json, as
for every command); --format pem|pk8, its meaning before, is refused (exit 2) naming --key-format. A file already there that differs is kept as
<name>.<time>.bak. Prints connection strings with sslmode=verify-full for psql/libpq, node-postgres, psycopg and
JDBC (JSON: the files with their modes, and keys libpq, psql, nodePostgres, psycopg, jdbc;
schemas/cert-export.schema.json). A key that group or others can read, or another user's, is refused (exit 7). So is
a --out directory (or ~/.postgresql, wherever a link leads) that other users may write, or one under a directory they
may change (not sticky, or another user's): they could swap root.crt for their own CA and defeat verify-full; a
directory of yours (0700 or 0755) under a sticky /tmp is fine. Fix with chmod go-w, or give a directory of your own.
A certificate an intermediate signed is shipped as leaf + intermediate (postgresql.crt, from <cn>.fullchain.crt), so the
server can build its chain (pgjdbc gets the leaf alone, postgresql-jdbc.crt: it sends nothing when the issuer of the
file's last certificate is not among the server's CA names); root.crt stays the root. While a CA rotation is under way
(pgwarden ca rotate, until ca retire) root.crt holds the new root and the old ones, so servers whose certificates either
signed verify; export again after ca retire to drop the old root. When the PKI has a combined
CRL (crl/combined.crl, from pgwarden crl) it is shipped as root.crl and the libpq, psql and psycopg strings name it
(sslcrl), so libpq refuses a revoked server certificate; node-postgres and pgjdbc have no such setting. That copy
expires: once past its nextUpdate libpq, psql and psycopg refuse EVERY server, so export warns (stderr) with its
nextUpdate and how to refresh it (re-run cert export after pgwarden crl, or copy crl/combined.crl to the client's
root.crl, as often as the servers' CRL is regenerated), and refuses (exit 7, nothing written) a CRL already past its
nextUpdate: run pgwarden crl first. --no-crl leaves root.crl and sslcrl out, for clients that cannot be refreshed (they
then do not notice a revoked server certificate).`,
    examples: [
      "pgwarden cert export --cn dbuser_dba --install",
      "pgwarden cert export --cn app --key-format pk8 --out ./jdbc --host pg-meta-1 --dbname meta",
      "pgwarden cert export --cn app --out ./bundle --host 10.10.10.10 --format json",
      "pgwarden cert export --cn app --out ./bundle --no-crl   # a client nobody will refresh: no root.crl, no sslcrl",
      "mkdir -m 700 /tmp/app-bundle && pgwarden cert export --cn app --out /tmp/app-bundle   # not --out /tmp itself: others may write it",
    ],
    exitNotes: [
      "7   the key is readable by group or others or another user's, or the target directory (or one above it) others may change",
      "7   crl/combined.crl is past its nextUpdate (run pgwarden crl first, or give --no-crl)",
    ],
  });
}
