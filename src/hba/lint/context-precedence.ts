import { readIdentMapNames } from "../ident-maps.js";
import type { LintContext } from "./lint-rule.js";
import { DEFAULT_SUPERUSERS } from "./run-lint.js";

/** What the person says of the server, each overriding what the source learned (--superuser, --server-ssl, --ident-file). */
export interface LintContextGiven {
  readonly superusers?: readonly string[];
  readonly ssl?: boolean;
  /** A pg_ident.conf whose map names map= options may use. */
  readonly identFile?: string;
}

/** What lint knows beyond the rules: defaults, then what the source says, then what the person gives. */
export async function lintContextOf(learned: Partial<LintContext>, given: LintContextGiven): Promise<LintContext> {
  const identMaps = given.identFile !== undefined ? await readIdentMapNames(given.identFile) : learned.identMaps;
  const ssl = given.ssl ?? learned.ssl;
  return {
    superusers: given.superusers ?? learned.superusers ?? [...DEFAULT_SUPERUSERS],
    ...(learned.superuserMemberOf === undefined ? {} : { superuserMemberOf: learned.superuserMemberOf }),
    ...(ssl === undefined ? {} : { ssl }),
    ...(identMaps === undefined ? {} : { identMaps }),
  };
}
