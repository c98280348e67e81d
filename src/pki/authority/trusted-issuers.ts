import { readFile } from "node:fs/promises";
import { join } from "node:path";

import type { PkiLayout } from "../pki-layout.js";
import { type IssuerFiles, listIssuerFiles, ROOT_ISSUER } from "./issuers.js";
import { listRotatedCas, rotatedDir } from "./rotated-cas.js";

/*
 * Every CA whose certificates are still trusted: the current issuers (`ca/ca.crt`, `ca/<name>-ca.crt`)
 * and the ones `ca rotate` replaced that `ca retire` has not retired (`ca/rotated/`). Each signs a CRL:
 * PostgreSQL checks the CRL of every CA in a chain (CRL_CHECK_ALL), so a rotated CA whose CRL is missing
 * or past nextUpdate locks out every certificate it signed that is still in use.
 */

/** The name a CA's CRL state (number, lock, file) goes by: the issuer name, and for a rotated CA `<name>-<key id 16>`. */
export function crlStateName(files: IssuerFiles): string {
  return files.rotatedKeyId === undefined ? files.name : `${files.name}-${files.rotatedKeyId.slice(0, 16)}`;
}

/** The files of the rotated, not retired CAs, their CRL in `crl/<issuer>-<key id 16>.crl`. */
export async function listRotatedIssuerFiles(layout: PkiLayout): Promise<IssuerFiles[]> {
  return (await listRotatedCas(rotatedDir(layout))).map((ca) => {
    const files: IssuerFiles = {
      name: ca.issuerName,
      kind: ca.issuerName === ROOT_ISSUER ? "root" : "intermediate",
      certPath: ca.certPath,
      keyPath: ca.keyPath,
      crlPath: "",
      rotatedKeyId: ca.keyId,
    };
    return { ...files, crlPath: join(layout.crlDir, `${crlStateName(files)}.crl`) };
  });
}

/** The current issuers ({@link listIssuerFiles}), then the rotated ones still trusted ({@link listRotatedIssuerFiles}). */
export async function listTrustedIssuerFiles(layout: PkiLayout): Promise<IssuerFiles[]> {
  return [...(await listIssuerFiles(layout)), ...(await listRotatedIssuerFiles(layout))];
}

/**
 * The anchor twins (`ca/rotated/<name>-<key id 16>.anchor.crt`) of the intermediates named `name` that `ca rotate
 * --intermediate` replaced and `ca retire` has not retired, as one PEM bundle ("" when none): what a server that
 * trusts that issuer alone (`ssl_ca_file` = its anchor twin) must add so the old intermediate's certificates still
 * log in until it is retired.
 */
export async function rotatedAnchorsPem(layout: PkiLayout, name: string): Promise<string> {
  const texts: string[] = [];
  for (const ca of await listRotatedCas(rotatedDir(layout))) {
    if (ca.issuerName !== name) continue;
    const text = await readFile(ca.certPath.replace(/\.crt$/, ".anchor.crt"), "utf8").catch(() => undefined);
    if (text !== undefined) texts.push(text.endsWith("\n") ? text : `${text}\n`);
  }
  return texts.join("");
}
