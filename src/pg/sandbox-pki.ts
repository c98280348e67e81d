import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";

import { notFoundError, usageError } from "../core/errors.js";
import { type RecordedPki, recordedSandboxPki, requireState, SANDBOX_STATE_FILE } from "./sandbox.js";

/** The PKI the person named for a command, and how: a --pki flag, PGWARDEN_PKI, or the default ./pki. */
export interface NamedPki {
  readonly path: string;
  readonly source: "flag" | "env" | "default";
}

/** Which PKI a sandbox command uses: the one named as usual, or the one its sandbox.json recorded (with a note why). */
export type SandboxPkiChoice =
  | { readonly use: "named"; readonly warning?: string }
  | { readonly use: "recorded"; readonly path: string; readonly info?: string };

/** What the choice rests on, read from disk by {@link chooseSandboxPki}. */
export interface SandboxPkiFacts {
  /** The sandbox's directory, as given. */
  readonly dir: string;
  /** What its sandbox.json says (undefined: no sandbox there). */
  readonly recorded: RecordedPki | undefined;
  readonly named: NamedPki;
  /** The named and the recorded PKI are one directory. */
  readonly sameDirectory: boolean;
  /** The recorded PKI still exists. */
  readonly recordedExists: boolean;
}

/**
 * The PKI of a sandbox: the one `sandbox up` recorded, so that status and up work from any directory
 * without --pki. A --pki flag naming another is refused while the recorded one exists (exit 2): verifying
 * against, or issuing from, another CA would tell a wrong story. PGWARDEN_PKI naming another is set
 * aside with a note, since it may be left from other work. A recorded PKI that is gone is exit 4 unless
 * --pki names one. No sandbox yet, or a sandbox.json not to be believed: the PKI named as usual.
 */
export function sandboxPkiChoice(facts: SandboxPkiFacts): SandboxPkiChoice {
  const { recorded, named } = facts;
  if (recorded === undefined) return { use: "named" };
  const dir = resolve(facts.dir);
  const stateFile = join(dir, SANDBOX_STATE_FILE);
  if ("untrusted" in recorded)
    return {
      use: "named",
      warning: `not using the PKI named in ${stateFile}: ${recorded.untrusted}; using ${resolve(named.path)} instead`,
    };
  if (facts.sameDirectory) return { use: "named" };
  if (!facts.recordedExists) {
    if (named.source === "flag") return { use: "named" };
    throw notFoundError(
      "sandbox-pki-missing",
      `the sandbox in ${dir} was set up with the PKI ${recorded.pki} (recorded in ${stateFile}), which no longer exists: ` +
        "put it back, or give --pki where it is now",
    );
  }
  if (named.source === "flag") {
    throw usageError(
      "sandbox-pki-mismatch",
      `--pki ${resolve(named.path)} is not the PKI of the sandbox in ${dir}, which sandbox up recorded as ${recorded.pki} in ${stateFile}: ` +
        "leave out --pki (the recorded one is used), or use another --dir for a sandbox of that PKI",
    );
  }
  return {
    use: "recorded",
    path: recorded.pki,
    ...(named.source === "env"
      ? {
          info: `pgwarden: using the PKI ${recorded.pki} that sandbox up recorded for ${dir}, not PGWARDEN_PKI=${named.path}`,
        }
      : {}),
  };
}

/** Whether two paths name one directory (a link to it, or the same path written otherwise). */
function sameDirectory(a: string, b: string): boolean {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(a) === real(b);
}

function exists(path: string): boolean {
  try {
    realpathSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * {@link sandboxPkiChoice} for the sandbox in `dir`, read from disk. With `sandboxRequired` (status) and
 * no PKI named, no sandbox is exit 4 before ./pki is looked at; a PKI named on purpose is judged first,
 * as by every command.
 */
export async function chooseSandboxPki(
  dir: string,
  named: NamedPki,
  options: { readonly sandboxRequired?: boolean } = {},
): Promise<SandboxPkiChoice> {
  const recorded = await recordedSandboxPki(dir);
  if (recorded === undefined && options.sandboxRequired && named.source === "default") await requireState(dir);
  const pki = recorded !== undefined && "pki" in recorded ? recorded.pki : undefined;
  return sandboxPkiChoice({
    dir,
    recorded,
    named,
    sameDirectory: pki !== undefined && sameDirectory(named.path, pki),
    recordedExists: pki !== undefined && exists(pki),
  });
}
