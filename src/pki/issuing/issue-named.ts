import { usageError } from "../../core/errors.js";
import { readInputFile } from "../../core/fs/read-input.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import type { PkiLayout } from "../pki-layout.js";
import { issueCertificate, type IssueOptions, type IssueResult, prepareLeaf } from "./issue.js";
import { issueBatch } from "./issue-batch.js";

/** `cert issue --cn NAME` or `--cn-file FILE`: the same request for one name or a file of them. */
export type NamedIssueRequest = Omit<IssueOptions, "commonName"> &
  ({ readonly commonName: string } | { readonly cnFile: string });

/** What the caller provides: the CA (loaded only once every name is valid, so a bad name never asks for a passphrase). */
export interface NamedIssueIo {
  readonly signingCa: () => Promise<CertificateAuthority>;
  readonly now: Date;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface NamedIssueResult {
  readonly issued: readonly IssueResult[];
  /** Pairs a --cn-file run found already issued and intact (key and certificate present, matching, recorded). */
  readonly skipped: readonly IssueResult[];
  /** Each warning once, however many certificates it concerns. */
  readonly warnings: readonly string[];
}

/** CNs from a file, one a line; blank lines and `#` comments are skipped. */
export async function readCnFile(path: string): Promise<{ cn: string; line: number }[]> {
  const text = await readInputFile(path, "CN file", "cn-file-missing");
  const names = text
    .split("\n")
    .map((raw, index) => ({ cn: raw.replace(/\r$/, "").trim(), line: index + 1 }))
    .filter(({ cn }) => cn.length > 0 && !cn.startsWith("#"));
  if (names.length === 0) throw usageError("empty-cn-file", `CN file ${path} has no names: write one CN per line`);
  return names;
}

/**
 * Issues one certificate (`commonName`) or one per line of `cnFile`. A file's names are all
 * checked first (an error names its file:line), then signed as a batch that skips pairs already
 * issued and intact, so a run cut short is finished by running it again.
 */
export async function issueNamed(
  layout: PkiLayout,
  request: NamedIssueRequest,
  io: NamedIssueIo,
): Promise<NamedIssueResult> {
  if ("commonName" in request) {
    const prepared = prepareLeaf(layout, request);
    const ca = await io.signingCa();
    const result = await issueCertificate(layout, ca, { ...request, commonName: prepared.request.commonName }, io.now);
    return { issued: [result], skipped: [], warnings: result.warnings };
  }
  const { cnFile, ...base } = request;
  const prepared = (await readCnFile(cnFile)).map(({ cn, line }) => {
    try {
      return prepareLeaf(layout, { ...base, commonName: cn });
    } catch (error) {
      if (error instanceof Error) error.message = `${cnFile}:${line}: ${error.message}`;
      throw error;
    }
  });
  const ca = await io.signingCa();
  const { issued, skipped } = await issueBatch(layout, ca, prepared, {
    force: base.force ?? false,
    now: io.now,
    ...(io.onProgress ? { onProgress: io.onProgress } : {}),
  });
  return { issued, skipped, warnings: [...new Set(issued.flatMap((result) => result.warnings))] };
}
