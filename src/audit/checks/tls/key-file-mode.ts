import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { servedTlsFact } from "../../facts/served-tls.js";
import { settingsFact, settingValue } from "../../facts/settings.js";
import { type FileStatus, tlsKeyFilesFact } from "../../facts/tls-key-files.js";
import { shellQuote } from "../host/file-mode.js";

const ROOT_UID = 0;
const octal = (mode: number) => `0${mode.toString(8).padStart(3, "0")}`;

/**
 * What is wrong with one file, by PostgreSQL's own rule for the key (be-secure-common.c: owned by
 * the server's user with no group or other bits, or by root with at most group read) and, for
 * the certificate, who may replace it (owner neither of them, or writable by group or others).
 */
export function fileProblem(file: FileStatus, serverUid: number): string | undefined {
  if (!file.exists) return "missing";
  if (!file.regular) return "not a regular file";
  if (file.uid !== serverUid && file.uid !== ROOT_UID)
    return `owned by ${file.owner}, neither the server's user nor root`;
  if (file.setting === "ssl_key_file") {
    const allowed = file.uid === ROOT_UID ? 0o640 : 0o600;
    if ((file.mode & 0o077 & ~allowed) !== 0)
      return `mode ${octal(file.mode)}: readable or writable beyond ${octal(allowed)}`;
  } else if ((file.mode & 0o022) !== 0) return `mode ${octal(file.mode)}: writable by group or others`;
  return undefined;
}

/**
 * With --pgdata and ssl on: the server key readable beyond what PostgreSQL allows, or key/certificate owned by someone else.
 * With ssl off the server reads neither file (a missing one is no fault): tls/ssl-off says what matters.
 */
export const keyFileMode: AuditCheck = {
  id: "tls/key-file-mode",
  title: "The server's key or certificate file has unsafe owner or mode",
  layer: "network",
  severity: "high",
  soc2: ["CC6.1", "CC6.7"],
  cis: "6.8",
  scope: "server",
  why: "Whoever reads the server's key impersonates the server and, for suites without forward secrecy, decrypts recorded sessions; whoever may replace the key or certificate decides what the server serves. PostgreSQL also refuses such a key at start or reload.",
  fix: "chown postgres: FILE && chmod 600 FILE (the server's user), then SELECT pg_reload_conf();",
  facts: [tlsKeyFilesFact, settingsFact],
  optionalFacts: [servedTlsFact],
  run(context) {
    if (settingValue(context.fact(settingsFact), "ssl") !== "on") return [];
    // ssl on and nothing served: tls/not-served names the files with the reason; once served, modes matter again.
    if (context.optional(servedTlsFact)?.served === false) return [];
    const files = context.fact(tlsKeyFilesFact);
    return files.files.flatMap((file): FindingDraft[] => {
      const problem = fileProblem(file, files.serverUid);
      if (problem === undefined) return [];
      const mode = file.setting === "ssl_key_file" ? "600" : "644";
      return [
        {
          subject: file.setting,
          message: `${file.setting} ${file.resolved} is ${problem}`,
          evidence: [
            { label: `setting ${file.setting}`, value: file.path },
            {
              label: `file ${file.resolved}`,
              value: file.exists ? `owner ${file.owner} (uid ${file.uid}), mode ${octal(file.mode)}` : "missing",
            },
            { label: "server user", value: `${files.serverUser} (owner of ${files.pgdata})` },
          ],
          fix: file.exists
            ? `chown ${files.serverUser}: ${shellQuote(file.resolved)} && chmod ${mode} ${shellQuote(file.resolved)}; then SELECT pg_reload_conf();`
            : // No chown can mend a file that is not there: install a pair.
              `pgwarden pg tls --conn URL --reload (installs a certificate and its key), or point ${file.setting} at the file; then SELECT pg_reload_conf();`,
        },
      ];
    });
  },
};
