/**
 * Exit codes, the same for every command (the README lists them). Library code throws a
 * {@link PgwardenError} carrying one of these; only `cli/main.ts` exits.
 */
export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  config: 3,
  notFound: 4,
  connection: 5,
  privilege: 6,
  pki: 7,
  internal: 70,
  /** A signal stopped the work after the old state was put back: the shell's 128 + the signal (SIGHUP, SIGINT, SIGTERM). */
  hungUp: 129,
  interrupted: 130,
  terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * One problem in a file pgwarden was given, where it was written: what compilers print as
 * `file:line:column: severity: message`. `path` is the dotted key path (`all.vars.pg_users[0]`).
 */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly path?: string;
  readonly severity: "error" | "warning";
  /** Without the location; never holds a password. */
  readonly message: string;
  /** The stable id of the rule it breaks (`too-short`), when there is one. */
  readonly rule?: string;
}

/** An expected failure: a stable machine-readable code, one human line, and an exit code. */
export class PgwardenError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  /** Every problem found, when the error sums up several (the message is then the summary). */
  readonly problems?: readonly Problem[];

  constructor(
    code: string,
    message: string,
    exitCode: ExitCodeValue,
    options?: { cause?: unknown; problems?: readonly Problem[] },
  ) {
    super(message, options);
    this.name = "PgwardenError";
    this.code = code;
    this.exitCode = exitCode;
    if (options?.problems !== undefined) this.problems = options.problems;
  }
}

/** Invalid input from the user: a flag, an argument, a file's content (exit 2). */
export function usageError(code: string, message: string): PgwardenError {
  return new PgwardenError(code, message, ExitCode.usage);
}

/** Something the command needs does not exist (exit 4). */
export function notFoundError(code: string, message: string): PgwardenError {
  return new PgwardenError(code, message, ExitCode.notFound);
}

/** A PKI failure: bad passphrase, unusable key, signature or chain that does not verify (exit 7). */
export function pkiError(code: string, message: string, cause?: unknown): PgwardenError {
  return new PgwardenError(code, message, ExitCode.pki, { cause });
}
