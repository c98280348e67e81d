import { Command, Option } from "commander";

import { usageError } from "../../../core/errors.js";
import { ExitCode } from "../../../core/errors.js";
import { type Purpose, verifyCertificate } from "../../../pki/verify/verify-certificate.js";
import { loadVerifyInputs } from "../../../pki/verify/verify-inputs.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { describe } from "../../help.js";

interface Options {
  purpose?: Purpose;
  host?: string;
  ca?: string;
  caFile?: string;
  untrusted?: string[];
  crl?: string[];
  key?: string;
  at?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--at`: ISO 8601 or seconds since the epoch (as `openssl verify -attime`). */
function parseAt(value: string): Date {
  const at = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(at.getTime()))
    throw usageError(
      "bad-time",
      `--at ${value} is not a time: give ISO 8601 (2030-01-31T12:00:00Z) or seconds since 1970`,
    );
  return at;
}

export function certVerifyCommand(): Command {
  const command = new Command("verify")
    .argument("<file>", "the certificate (PEM; extra certificates in the file are taken as its chain)")
    .addOption(
      new Option("--purpose <purpose>", "what it must be usable for (OpenSSL -purpose sslserver|sslclient)").choices([
        "server",
        "client",
      ]),
    )
    .addOption(
      new Option("--host <name>", "host name or IP address it must be valid for, by libpq's sslmode=verify-full rules"),
    )
    .addOption(new Option("--ca <file>", "trust every certificate of this file instead of <pki>/ca/ca.crt"))
    .addOption(new Option("--ca-file <file>", "same as --ca").hideHelp())
    .addOption(
      new Option("--untrusted <file>", "intermediates that may complete the chain (repeatable)").argParser(collect),
    )
    .addOption(
      new Option(
        "--crl <file>",
        "check revocation against this CRL file (repeatable; default: <pki>/crl/*.crl with the PKI's CA)",
      ).argParser(collect),
    )
    .addOption(
      new Option(
        "--key <file>",
        "the certificate's private key, which must match (default: the .key file beside it, if any)",
      ),
    )
    .addOption(
      new Option("--at <time>", "check as of this time instead of now (ISO 8601 or epoch seconds, as openssl -attime)"),
    )
    .action(async (file: string, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const now = options.at === undefined ? ctx.now : parseAt(options.at);
      const inputs = await loadVerifyInputs(
        {
          certificate: file,
          ca: options.ca ?? options.caFile,
          untrusted: options.untrusted,
          crls: options.crl,
          key: options.key,
        },
        () => ctx.layout,
      );
      const result = verifyCertificate(inputs.leaf, {
        ...inputs.options,
        purpose: options.purpose,
        host: options.host,
        strict: true,
        now,
      });
      if (ctx.output.format === "json")
        ctx.output.json({
          file,
          ...result,
          ca: inputs.sources.ca,
          crls: inputs.sources.crls,
          key: inputs.sources.key ?? null,
        });
      else {
        const mark = (check: { ok: boolean; skipped?: boolean }) =>
          check.skipped ? "skip" : check.ok ? "ok  " : "FAIL";
        const detail = (check: { name: string; skipped?: boolean; detail: string }) =>
          check.name === "revocation" && check.skipped
            ? `${check.detail} (--crl FILE${(options.ca ?? options.caFile) ? "" : `, or the CA's CRL in ${ctx.layout.crlDir}`})`
            : check.detail;
        ctx.output.data(
          result.checks.map((check) => `${mark(check)}  ${check.name.padEnd(16)}  ${detail(check)}`).join("\n"),
        );
        ctx.output.info(result.ok ? `pgwarden: ${file}: verified` : `pgwarden: ${file}: not valid: ${result.reason}`);
      }
      if (!result.ok) throw new ExitSignal(ExitCode.checkFailed);
    });
  return describe(command, {
    description: `Check a certificate as a TLS peer would, as strictly as \`openssl verify -x509_strict\` (OpenSSL 3.0): a path to a self-signed root
of the CA file (every certificate in it is trusted; an intermediate alone is not an anchor), each certificate's extensions (CA, pathlen, key usage,
unknown critical extensions, EKU on CAs too), revocation by the CRLs (every certificate of the path, as libpq and PostgreSQL check), signatures,
dates of every certificate, name constraints. --host follows libpq's verify-full rules (only \`*.\` whole-label wildcards; an IP address in the CN
counts for host=IP when no SAN is an IP). The key beside the certificate (or --key) must match it; an encrypted key is reported, not checked.
Exit 0 when verified, 1 with the reason (OpenSSL's words) otherwise, 2 for a file that is not PEM, 4 for a missing file.`,
    examples: [
      "pgwarden cert verify pki/server/pg-meta-1.crt --purpose server --host 10.10.10.10",
      "pgwarden cert verify ~/.postgresql/postgresql.crt --purpose client --key ~/.postgresql/postgresql.key",
      "pgwarden cert verify leaf.crt --ca root.crt --untrusted intermediate.crt --crl root.crl --at 2030-01-01T00:00:00Z",
    ],
  });
}
