import { Command, CommanderError } from "commander";
import { ExitCode, PgwardenError } from "../errors.js";
import { DEFAULT_PKI_DIR } from "../pki/pki-layout.js";
import { caCommand } from "./commands/ca/index.js";
import { certCommand } from "./commands/cert/index.js";
import { hbaCommand } from "./commands/hba/index.js";
import { pgCommand } from "./commands/pg/index.js";
import { quickstartCommand } from "./commands/quickstart.js";
import { sandboxCommand } from "./commands/sandbox/index.js";
import { trustCommand } from "./commands/trust/index.js";
import { ExitSignal } from "./exit-signal.js";
import { addGlobalFlags, formatOption, pkiOption, quietOption } from "./flags.js";

const REPORT_URL = "https://github.com/pgwarden/pgwarden/issues";

export function buildProgram(): Command {
  const program = new Command("pgwarden")
    .description("Make PostgreSQL fleets secure by default: a local CA, TLS, access rules, roles and audits.")
    .addOption(pkiOption().env("PGWARDEN_PKI").default(DEFAULT_PKI_DIR))
    .addOption(formatOption().default("text"))
    .addOption(quietOption())
    .showHelpAfterError("(run with --help for usage)")
    // Global flags before the command belong to the program; after it, to the command, so
    // a command may give a flag its own meaning (`cert export --format pk8`).
    .enablePositionalOptions()
    .exitOverride();
  program.addCommand(caCommand()).addCommand(certCommand()).addCommand(trustCommand()).addCommand(sandboxCommand()).addCommand(pgCommand()).addCommand(hbaCommand()).addCommand(quickstartCommand());
  const prepare = (command: Command) => {
    // Every command exits through the same override, so usage errors map to exit 2.
    command.exitOverride();
    command.configureOutput({ outputError: (text, write) => write(`pgwarden: ${text}`) });
    if (command.commands.length === 0 && command !== program) addGlobalFlags(command);
    command.commands.forEach(prepare);
  };
  prepare(program);
  return program;
}

/** Runs pgwarden with `argv` (process.argv form) and returns the exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return ExitCode.ok;
  } catch (error) {
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  const debug = process.env.PGWARDEN_DEBUG === "1";
  if (error instanceof ExitSignal) return error.exitCode;
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return ExitCode.ok;
    return ExitCode.usage;
  }
  if (error instanceof PgwardenError) {
    process.stderr.write(`pgwarden: error: ${error.message}\n`);
    if (debug) process.stderr.write(`${error.stack ?? ""}\n${error.cause instanceof Error ? `caused by: ${error.cause.stack}\n` : ""}`);
    return error.exitCode;
  }
  const nodeError = error as NodeJS.ErrnoException;
  if (nodeError?.code === "EACCES" || nodeError?.code === "EPERM") {
    process.stderr.write(`pgwarden: error: permission denied: ${nodeError.path ?? nodeError.message}\n`);
    if (debug) process.stderr.write(`${nodeError.stack ?? ""}\n`);
    return ExitCode.privilege;
  }
  process.stderr.write(
    `pgwarden: internal error: ${error instanceof Error ? error.message : String(error)}\n` +
      `This is a bug. Please report it at ${REPORT_URL} with the command you ran and the output of PGWARDEN_DEBUG=1.\n`,
  );
  if (debug && error instanceof Error) process.stderr.write(`${error.stack ?? ""}\n`);
  return ExitCode.internal;
}
