import { Command, CommanderError, type Option } from "commander";

import { problemText } from "../config/problem-list.js";
import { ExitCode, PgwardenError, type Problem } from "../core/errors.js";
import { escapeText } from "../core/escape-text.js";
import { requireDirectoryPath } from "../core/fs/safe-dir.js";
import { DEFAULT_PKI_DIR } from "../pki/pki-layout.js";
import { ExitSignal } from "./exit-signal.js";
import { addGlobalFlags, formatOption, pkiOption, quietOption } from "./flags.js";
import { type Noun, nounCommand } from "./noun.js";
import { jsonErrorLine } from "./output.js";
import { versionLine } from "./version.js";

const REPORT_URL = "https://github.com/pgwarden/pgwarden/issues";

/**
 * The command tree, one noun (and within it one verb) at a time: a run loads only what
 * it names, so `cert issue` does not pay for loading the PostgreSQL client, YAML and
 * schema libraries that other nouns need, nor `cert sign`'s X.509 library; `--help` and
 * unknown nouns or verbs load the whole tree.
 */
const NOUNS: Record<string, () => Promise<Noun>> = {
  ca: async () => (await import("./commands/ca/index.js")).caNoun,
  cert: async () => (await import("./commands/cert/index.js")).certNoun,
  crl: async () => (await import("./commands/crl/index.js")).crlNoun,
  trust: async () => (await import("./commands/trust/index.js")).trustNoun,
  sandbox: async () => (await import("./commands/sandbox/index.js")).sandboxNoun,
  pg: async () => (await import("./commands/pg/index.js")).pgNoun,
  hba: async () => (await import("./commands/hba/index.js")).hbaNoun,
  password: async () => (await import("./commands/password/index.js")).passwordNoun,
  role: async () => (await import("./commands/role/index.js")).roleNoun,
  audit: async () => ({ command: (await import("./commands/audit/audit.js")).auditCommand, verbs: {} }),
  quickstart: async () => ({ command: (await import("./commands/quickstart.js")).quickstartCommand, verbs: {} }),
};

/** Under the program's own help: how to run it without a command, and where to start. */
const PROGRAM_HELP_AFTER = `
Without a command (pgwarden alone, or a noun without its verb) the help goes to stderr with exit 2, a usage
error; pgwarden --help and pgwarden help print it on stdout with exit 0.

EXAMPLES
  $ pgwarden --version
  $ pgwarden quickstart
  $ pgwarden help cert
  $ pgwarden ca init --pki ./pki
`;

/** The program's own flags (given before the noun), defined once. */
const PROGRAM_OPTIONS = () => [
  pkiOption().env("PGWARDEN_PKI").default(DEFAULT_PKI_DIR),
  formatOption().default("text"),
  quietOption(),
];
/** Those that take a value, to find the noun behind them in argv. */
const VALUE_FLAGS = new Set(
  PROGRAM_OPTIONS()
    .filter((option) => option.required)
    .map((option) => option.long),
);

/**
 * The noun and verb `argv` (process.argv form) runs: the first word that is not a program
 * flag or its value, when it is a noun, and the word right behind it. Undefined where
 * there is none or the word is no noun.
 */
export function commandOf(argv: readonly string[]): { noun?: string; verb?: string } {
  for (let index = 2; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (VALUE_FLAGS.has(arg)) index++;
    else if (!arg.startsWith("-")) {
      if (!Object.hasOwn(NOUNS, arg)) return {};
      const next = argv[index + 1];
      return next === undefined || next.startsWith("-") ? { noun: arg } : { noun: arg, verb: next };
    }
  }
  return {};
}

export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command("pgwarden")
    .description("Make PostgreSQL fleets secure by default: a local CA, TLS, access rules, roles and audits.")
    .showHelpAfterError(jsonErrorsRequested(argv) ? false : "(run with --help for usage)")
    // Global flags before the command belong to the program; after it, to the command, so
    // a command may give a flag its own meaning (`hba lint --format sarif`).
    .enablePositionalOptions()
    .exitOverride();
  program.version(versionLine(), "-V, --version", "print pgwarden's version (pgwarden X.Y.Z) on stdout and exit");
  program.addHelpText("after", PROGRAM_HELP_AFTER);
  for (const option of PROGRAM_OPTIONS()) program.addOption(option);
  const { noun, verb } = commandOf(argv);
  const nouns = noun === undefined ? Object.values(NOUNS) : [NOUNS[noun] as () => Promise<Noun>];
  for (const command of await Promise.all(nouns.map(async (load) => nounCommand(await load(), verb))))
    program.addCommand(command);
  const prepare = (command: Command) => {
    // Every command exits through the same override, so usage errors map to exit 2.
    command.exitOverride();
    // Commander's messages quote what was typed: escaped, keeping their own line breaks. With --format json
    // main's error path writes the error once, as JSON.
    command.configureOutput({
      outputError: (text, write) =>
        jsonErrorsRequested(argv) ? undefined : write(`pgwarden: ${escapeText(text, "\n")}`),
    });
    command.options.forEach(checkDirectoryFlag);
    if (command.commands.length === 0 && command !== program) addGlobalFlags(command);
    command.commands.forEach(prepare);
  };
  prepare(program);
  return program;
}

/**
 * A flag whose value is a directory (`--out <dir>`, `--root <dir>`, `--dir <dir>`, `--pgdata <dir>`)
 * names no file: checked as argv is parsed (exit 2), before anything is read or written.
 * `--pki` is judged by the commands that use the PKI (context.ts), with its environment and default.
 */
function checkDirectoryFlag(option: Option): void {
  if (!option.flags.endsWith("<dir>") || option.long === "--pki") return;
  const parse = option.parseArg;
  option.argParser((value: string, previous: unknown) => {
    requireDirectoryPath(value, option.long ?? option.flags);
    return parse ? parse(value, previous) : value;
  });
}

/** What a shell reports for a program that SIGPIPE ended (128 + 13), as `yes | head` shows. */
const CLOSED_PIPE_EXIT = 141;

let closedStdoutHandled = false;

/**
 * A reader that stops early (`pgwarden ... | head`) closes stdout: the end of the output, not
 * an error worth a stack trace. Node ignores SIGPIPE, so exit as a program that signal ends.
 */
function exitQuietlyOnClosedStdout(): void {
  if (closedStdoutHandled) return;
  closedStdoutHandled = true;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(CLOSED_PIPE_EXIT);
    throw error;
  });
}

/**
 * `--format json` (or `--format=json`) anywhere before `--`, for the program or the command: then
 * errors, usage errors from argv parsing included, are one JSON object on stderr.
 */
export function jsonErrorsRequested(argv: readonly string[]): boolean {
  for (let index = 2; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === "--") return false;
    if (arg === "--format=json" || (arg === "--format" && argv[index + 1] === "json")) return true;
  }
  return false;
}

/** Runs pgwarden with `argv` (process.argv form) and returns the exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  exitQuietlyOnClosedStdout();
  try {
    await (await buildProgram(argv)).parseAsync([...argv]);
    return ExitCode.ok;
  } catch (error) {
    const failure = failureOf(error);
    if (jsonErrorsRequested(argv)) {
      const message = failure.note ? `${failure.message} (${failure.note})` : failure.message;
      if (message !== undefined)
        process.stderr.write(jsonErrorLine(failure.code, message, failure.exitCode, failure.problems));
    } else if (failure.message !== undefined && !failure.shown) process.stderr.write(failureText(failure));
    if (failure.stack !== undefined && process.env.PGWARDEN_DEBUG === "1") process.stderr.write(failure.stack);
    return failure.exitCode;
  }
}

/** What went wrong, once, for the text and the JSON error: no message when there is nothing more to say. */
interface Failure {
  readonly exitCode: number;
  /** A stable code: the PgwardenError's, commander's (`unknown-option`), or one per situation below. */
  readonly code: string;
  /** One line, for the person; undefined when the command already said everything (ExitSignal, help). */
  readonly message?: string;
  /** A second line of text (how to report a bug). */
  readonly note?: string;
  /** Commander has already written the message as text (its outputError). */
  readonly shown?: boolean;
  /** The trace PGWARDEN_DEBUG=1 adds. */
  readonly stack?: string;
  /** Every problem behind the error (an inventory's, a password policy's), each at its file:line. */
  readonly problems?: readonly Problem[];
}

/** A commander error code as pgwarden's codes read: `commander.unknownOption` -> `unknown-option`. */
function commanderCode(code: string): string {
  return code.replace(/^commander\./, "").replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

const BUG_NOTE = `This is a bug. Please report it at ${REPORT_URL} with the command you ran and the output of PGWARDEN_DEBUG=1.`;

function failureOf(error: unknown): Failure {
  if (error instanceof ExitSignal) return { exitCode: error.exitCode, code: "check-failed" };
  if (error instanceof CommanderError) {
    // No command (no arguments, a noun without its verb): commander printed help on stderr: a usage error (pg_ctl and git also exit non-zero).
    if (error.code === "commander.help" && error.exitCode !== 0) {
      return {
        exitCode: ExitCode.usage,
        code: "no-command",
        message: "no command given: run pgwarden --help to see them",
        shown: true,
      };
    }
    if (["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code))
      return { exitCode: ExitCode.ok, code: "help" };
    // Commander printed its own text already (outputError); for JSON the message is kept here.
    return {
      exitCode: ExitCode.usage,
      code: commanderCode(error.code),
      message: error.message.replace(/^error: /, ""),
      shown: true,
    };
  }
  if (error instanceof PgwardenError) {
    const cause = error.cause instanceof Error ? `caused by: ${error.cause.stack}\n` : "";
    return {
      exitCode: error.exitCode,
      code: error.code,
      message: error.message,
      ...(error.problems === undefined || error.problems.length === 0 ? {} : { problems: error.problems }),
      stack: `${error.stack ?? ""}\n${cause}`,
    };
  }
  const nodeError = error as NodeJS.ErrnoException;
  const stack = `${nodeError?.stack ?? ""}\n`;
  if (nodeError?.code === "EACCES" || nodeError?.code === "EPERM") {
    return {
      exitCode: ExitCode.privilege,
      code: "permission-denied",
      message: `permission denied: ${nodeError.path ?? nodeError.message}`,
      stack,
    };
  }
  // A file where a directory must be (pki/server as a file, a parent of a path that is a file).
  if (nodeError?.code === "ENOTDIR" || (nodeError?.code === "EEXIST" && nodeError.syscall === "mkdir")) {
    const message = `${nodeError.path ?? "a path"}: a file stands where a directory must be: move it away or give another path`;
    return { exitCode: ExitCode.usage, code: "file-not-directory", message, stack };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: ExitCode.internal,
    code: "internal",
    message,
    note: BUG_NOTE,
    ...(error instanceof Error ? { stack } : {}),
  };
}

/** The error as text on stderr: one line, and for a bug how to report it. */
function failureText(failure: Failure): string {
  const prefix = failure.exitCode === ExitCode.internal ? "internal error" : "error";
  // Several problems: each on its own line, `file:line:column: error: message` as compilers print them, then the summary.
  const problems =
    (failure.problems?.length ?? 0) > 1
      ? (failure.problems ?? []).map((problem) => `${escapeText(problemText(problem))}\n`).join("")
      : "";
  return `${problems}pgwarden: ${prefix}: ${escapeText(failure.message ?? "")}\n${failure.note ? `${failure.note}\n` : ""}`;
}
