import { readdir } from "node:fs/promises";
import { join } from "node:path";

import { usageError } from "../../core/errors.js";
import type { PkiLayout } from "../pki-layout.js";

/*
 * The CAs of a PKI directory by name. The root is "ca" (`ca/ca.{key,crt}`, Pigsty's layout);
 * an intermediate named N lives in `ca/N-ca.{key,crt}`, signed by the root with pathlen 0.
 * The name is what `--issuer`, the records' `issuerName` and the CRL file (`crl/<name>.crl`)
 * use. Every other part finds issuers through this file.
 */

/** The root CA's issuer name. */
export const ROOT_ISSUER = "ca";

/** Intermediates pgwarden makes with `ca init --intermediates`; `cert issue` picks the one named as the profile. */
export const DEFAULT_INTERMEDIATES = ["server", "client"] as const;

/** Names that would collide with the root's files or with what ca init's advice moves aside (`ca/old-ca.crt`). */
const RESERVED_ISSUER_NAMES = new Set([ROOT_ISSUER, "old", "root", "combined"]);

const ISSUER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** Checks an intermediate's name: lower-case letters, digits and "-", starting with a letter, at most 32. */
export function validateIntermediateName(name: string, flag = "--name"): string {
  if (!ISSUER_NAME_PATTERN.test(name))
    throw usageError(
      "bad-issuer-name",
      `${flag} ${JSON.stringify(name)} is not an intermediate name: use lower-case letters, digits and "-", starting with a letter (at most 32), e.g. server or client`,
    );
  if (RESERVED_ISSUER_NAMES.has(name))
    throw usageError("bad-issuer-name", `${flag} "${name}" is reserved for pgwarden's own files: choose another name`);
  return name;
}

export type IssuerKind = "root" | "intermediate";

/** Where one CA's files are. */
export interface IssuerFiles {
  readonly name: string;
  readonly kind: IssuerKind;
  readonly certPath: string;
  readonly keyPath: string;
  /** Its revocation list, `crl/<name>.crl` (`crl/<name>-<key id>.crl` for a rotated CA). */
  readonly crlPath: string;
  /** Set for a CA `ca rotate` replaced (`ca/rotated/`): its hex key id; such a CA signs CRLs only. */
  readonly rotatedKeyId?: string;
}

/** The files of the issuer called `name` (the root for "ca"); they need not exist. */
export function issuerFiles(layout: PkiLayout, name: string): IssuerFiles {
  if (name === ROOT_ISSUER)
    return {
      name,
      kind: "root",
      certPath: layout.caCert,
      keyPath: layout.caKey,
      crlPath: join(layout.crlDir, `${ROOT_ISSUER}.crl`),
    };
  validateIntermediateName(name, "issuer");
  return {
    name,
    kind: "intermediate",
    certPath: join(layout.caDir, `${name}-ca.crt`),
    keyPath: join(layout.caDir, `${name}-ca.key`),
    crlPath: join(layout.crlDir, `${name}.crl`),
  };
}

/** The one file servers install as their CRL (`ssl_crl_file`): every issuer's CRL, concatenated. */
export function combinedCrlPath(layout: PkiLayout): string {
  return join(layout.crlDir, "combined.crl");
}

/**
 * The issuers whose certificate file is present: the root first (when `ca/ca.crt` exists), then
 * the intermediates by name. A file that only looks like one (`old-ca.crt`, a bad name) is not listed.
 */
export async function listIssuerFiles(layout: PkiLayout): Promise<IssuerFiles[]> {
  let names: string[];
  try {
    names = await readdir(layout.caDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const present = new Set(names);
  const intermediates = names
    .map((file) => /^([a-z][a-z0-9-]{0,31})-ca\.crt$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined && !RESERVED_ISSUER_NAMES.has(name))
    .sort();
  return [
    ...(present.has("ca.crt") ? [issuerFiles(layout, ROOT_ISSUER)] : []),
    ...intermediates.map((name) => issuerFiles(layout, name)),
  ];
}

/**
 * The self-signed "anchor twin" of intermediate `name` (`ca/<name>-ca.anchor.crt`): its subject and key,
 * self-signed, so that a server's `ssl_ca_file` can trust that issuer alone, CRL checks included
 * (`intermediate-create.ts` says why the intermediate itself cannot be that anchor).
 */
export function issuerAnchorPath(layout: PkiLayout, name: string): string {
  validateIntermediateName(name, "issuer");
  return join(layout.caDir, `${name}-ca.anchor.crt`);
}

/** The intermediate whose certificates log in by `cert` auth: `pg tls` and `sandbox up` trust only it when it exists. */
export const CLIENT_ISSUER = "client";
