import { join, resolve } from "node:path";

import { usageError } from "../core/errors.js";
import { validateCommonName } from "./names/common-name.js";

/** Where things live under a PKI directory; compatible with Pigsty's `files/pki`. */
export interface PkiLayout {
  readonly root: string;
  readonly caDir: string;
  readonly caKey: string;
  readonly caCert: string;
  readonly crlDir: string;
  readonly dbDir: string;
  /** Record files: JSON lines of the certificates one command (or one chunk of a batch) made, one file each. */
  readonly recordsDir: string;
  /** Pending writes of key/certificate pairs, finished by the next command if a writer was killed (`pair-journal.ts`). */
  readonly journalDir: string;
  /** Revocations: one JSON file per `cert revoke` of one certificate (`records/revocations.ts`). */
  readonly revocationsDir: string;
  /** Each issuer's last CRL number and the lock CRL writers take (`revocation/`). */
  readonly crlStateDir: string;
}

export const DEFAULT_PKI_DIR = "./pki";

export function pkiLayout(root: string): PkiLayout {
  const absolute = resolve(root);
  const caDir = join(absolute, "ca");
  const dbDir = join(absolute, "db");
  return {
    root: absolute,
    caDir,
    caKey: join(caDir, "ca.key"),
    caCert: join(caDir, "ca.crt"),
    crlDir: join(absolute, "crl"),
    dbDir,
    recordsDir: join(dbDir, "certs"),
    journalDir: join(dbDir, "journal"),
    revocationsDir: join(dbDir, "revocations"),
    crlStateDir: join(dbDir, "crl"),
  };
}

/** Directories under the PKI root that never hold issued leaves. */
export const RESERVED_GROUPS = new Set(["ca", "crl", "db"]);

export function validateGroup(group: string): string {
  validateCommonName(group, "group");
  if (RESERVED_GROUPS.has(group))
    throw usageError("bad-group", `group "${group}" is reserved for pgwarden's own files: choose another --group`);
  return group;
}

export interface LeafPaths {
  readonly dir: string;
  readonly key: string;
  readonly cert: string;
}

/** `<pki>/<group>/<cn>.{key,crt}`. */
export function leafPaths(layout: PkiLayout, group: string, cn: string): LeafPaths {
  const dir = join(layout.root, group);
  return { dir, key: join(dir, `${cn}.key`), cert: join(dir, `${cn}.crt`) };
}
