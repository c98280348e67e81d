import { Command, Option } from "commander";

import { loadInventory } from "../../../config/load-inventory.js";
import { ExitCode, usageError } from "../../../core/errors.js";
import type { ConnectionAsk } from "../../../hba/explain/asked-connection.js";
import { explainRules } from "../../../hba/explain/explain-rules.js";
import { explainMatrix } from "../../../hba/explain/matrix.js";
import type { HbaRule } from "../../../hba/model.js";
import { type CommandContext, contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { describe } from "../../help.js";
import { hbaRuleJson } from "../../json-view.js";
import { explanationText, matrixText } from "./explain-text.js";
import { pgVersionOption } from "./pg-version.js";
import { renamedFlag } from "./renamed-flag.js";
import { addSourceOptions, loadHbaSource, type SourceOptions } from "./source.js";

interface Options extends SourceOptions {
  user?: string;
  db?: string;
  addr?: string;
  tls?: boolean;
  /** The old spelling of --tls, refused. */
  ssl?: unknown;
  cert?: string;
  /** Undefined: not given; false: --no-member-of. */
  memberOf?: string[] | false;
  replication?: boolean;
  pgVersion?: number;
  matrix?: boolean;
}

/** --ssl meant the client's TLS here and the server's setting in lint: now each has its own name. */
const OLD_SSL = renamedFlag(
  "--ssl",
  "ssl",
  "--tls for a client that connects with TLS (hba lint's --server-ssl on|off is the server's setting)",
);

const collect = (value: string, previous: string[] | false | undefined) => [...(previous || []), value];

const ruleJson = (rule: HbaRule) => hbaRuleJson(rule);

/** The flags that describe the connection (--member-of aside: false means none). */
function connectionFlags(options: Options): ConnectionAsk {
  const { user, db, addr, tls, cert, replication } = options;
  return { user, db, addr, tls, cert, replication };
}

async function explainOne(ctx: CommandContext, file: string | undefined, options: Options): Promise<void> {
  const pgVersion = options.pgVersion;
  const {
    source,
    connection,
    explanation: explained,
    warnings,
  } = await explainRules(
    {
      ...connectionFlags(options),
      ...(options.memberOf !== undefined ? { memberOf: options.memberOf || [] } : {}),
      ...(pgVersion !== undefined ? { majorVersion: pgVersion } : {}),
    },
    async (asked) => {
      const loaded = await loadHbaSource(file, options, {
        factsFor: asked.user,
        factsForDatabase: asked.database,
        connection: ctx,
        ...(pgVersion !== undefined ? { majorVersion: pgVersion } : {}),
      });
      // Told before the explanation is worked out, as they were found.
      for (const warning of loaded.warnings) ctx.output.warn(warning);
      return loaded;
    },
  );
  for (const warning of warnings) ctx.output.warn(warning);

  if (ctx.output.format === "json") {
    ctx.output.json({
      source: source.label,
      connection,
      verdict: explained.verdict,
      reason: explained.reason,
      ...(explained.serverMessage !== undefined ? { serverMessage: explained.serverMessage } : {}),
      first: explained.first ? { ...ruleJson(explained.first.rule), ...explained.first.outcome } : null,
      undecided: explained.undecided.map((candidate) => ({
        ...ruleJson(candidate.rule),
        unknown: candidate.unknown,
        ...candidate.outcome,
      })),
      later: explained.later.map(ruleJson),
    });
  } else ctx.output.data(explanationText(explained, source.label, file ?? source.label));
  if (explained.verdict !== "allowed") throw new ExitSignal(ExitCode.checkFailed);
}

async function explainInventoryMatrix(ctx: CommandContext, file: string | undefined, options: Options): Promise<void> {
  if (
    file !== undefined ||
    options.conn !== undefined ||
    options.inventory === undefined ||
    options.cluster === undefined
  ) {
    throw usageError(
      "explain-matrix-source",
      "--matrix answers for an inventory: give --inventory FILE --cluster NAME (not FILE or --conn)",
    );
  }
  const perConnection = [
    options.user && "--user",
    options.addr && "--addr",
    options.tls && "--tls",
    options.cert !== undefined && "--cert",
    options.memberOf !== undefined && "--member-of",
    options.replication && "--replication",
  ].filter(Boolean);
  if (perConnection.length > 0)
    throw usageError(
      "explain-matrix-flags",
      `--matrix answers for every role and network: leave out ${perConnection.join(", ")}`,
    );
  if (options.target !== undefined && options.target !== "pg")
    throw usageError("explain-matrix-target", "--matrix explains pg_hba.conf (--target pg)");
  const inventory = await loadInventory(options.inventory);
  const matrix = await explainMatrix(inventory, options.cluster, {
    instance: options.instance,
    ...(options.db !== undefined ? { database: options.db } : {}),
  });
  for (const warning of matrix.warnings) ctx.output.warn(warning);
  if (ctx.output.format === "json") ctx.output.json(matrix);
  else ctx.output.data(matrixText(matrix));
}

export function hbaExplainCommand(): Command {
  const command = new Command("explain")
    .argument("[file]", "a pg_hba.conf (its include directives and @file lists are read too)")
    .addOption(new Option("--user <role>", "the role that connects"))
    .addOption(new Option("--db <database>", "the database it asks for (default: the role's name, as libpq does)"))
    .addOption(new Option("--addr <ip|local>", "where it connects from: an IP address, or local for the unix socket"))
    .addOption(
      new Option(
        "--tls",
        "the client connects with TLS (libpq sslmode require or verify-*, or prefer when the server has ssl on): hostssl lines match, hostnossl lines do not; was --ssl",
      ),
    )
    .addOption(OLD_SSL.option)
    .addOption(new Option("--cert <cn>", "a client certificate with this CN is presented (implies --tls)"))
    .addOption(
      new Option(
        "--member-of <role>",
        "a role the user is a member of, directly or not (repeatable; the list is then complete)",
      ).argParser(collect),
    )
    .addOption(new Option("--no-member-of", "the user is a member of no role"))
    .addOption(
      new Option("--replication", "a physical replication connection (matches the database keyword replication only)"),
    )
    .addOption(pgVersionOption())
    .addOption(
      new Option(
        "--matrix",
        "with --inventory: answer for every role and network alias, with and without TLS, in one table",
      ),
    )
    .action(async (file: string | undefined, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      OLD_SSL.refuse(options.ssl);
      if (options.matrix) await explainInventoryMatrix(ctx, file, options);
      else await explainOne(ctx, file, options);
    });
  addSourceOptions(command);
  return describe(command, {
    summary: "which line a connection matches, what it demands, and whether it gets in",
    description: `Explain a connection against access rules from a pg_hba.conf (as --pg-version reads it), a running server
(--conn: its pg_hba.conf read with pg_read_file and parsed as its version does, else pg_hba_file_rules; its version and the
role's memberships) or an inventory (--inventory: the rendered rules and Pigsty's role memberships): the line PostgreSQL
uses, what its authentication demands, and the lines that would match later but are never tried. A line whose
authentication fails refuses the connection: PostgreSQL does not fall through, so a cert line for a certificate with
another CN fails; clientcert= is checked before the method, so even a reject line first refuses a client without a
certificate. A refusal says what the client is told. What pgwarden cannot know (host names, samehost and samenet from
afar, memberships offline without --member-of, quotes that pg_hba_file_rules does not show) is said, not guessed. With --conn, what the server checks after the line is decided too: the role's stored password against the method
(scram-sha-256 needs a SCRAM secret, md5 takes MD5 or SCRAM; none or a past VALID UNTIL fails every password method,
not cert or trust; pg_authid needs a superuser's connection), NOLOGIN, REPLICATION, and the database (missing,
not accepting connections, no CONNECT privilege unless superuser). Exit 0 when the connection would be allowed, 1 when
it would be refused or pgwarden cannot tell. --matrix answers for every role and network alias of an inventory in one table (exit 0). --tls (it was --ssl)
says the client connects with TLS; the server's ssl setting is hba lint's --server-ssl.`,
    examples: [
      "pgwarden hba explain pg_hba.conf --user dbuser_meta --db meta --addr 10.10.10.11 --tls",
      "pgwarden hba explain pg_hba.conf --user dbuser_dba --addr 203.0.113.7 --cert dbuser_dba",
      "pgwarden hba explain /etc/postgresql/15/main/pg_hba.conf --pg-version 15 --user app --addr 10.1.2.3",
      "pgwarden hba explain --conn 'host=/var/run/postgresql user=postgres' --user app --db app --addr 10.1.2.3 --tls",
      "pgwarden hba explain pg_hba.conf --user app --addr 10.1.2.3 --member-of dbrole_readwrite --member-of dbrole_readonly",
      "PGPASSWORD=... pgwarden hba explain --conn postgresql://postgres@10.10.10.10/postgres --user replicator --replication --addr 10.10.10.12",
      "pgwarden hba explain --inventory pigsty.yml --cluster pg-meta --instance pg-meta-1 --matrix",
    ],
  });
}
