/*
 * The systemd units that keep CRLs from expiring: a oneshot service that regenerates every
 * CRL and installs it, and a daily timer (Persistent, so a day the machine was off is caught
 * up at boot; a random delay, so a fleet does not sign at the same second). With CRLs valid
 * 7 days, a daily run leaves six days to notice a timer that stopped.
 */

/** What the units run: node, pgwarden's entry point, the PKI, and the CRL life. */
export interface CrlTimerOptions {
  readonly node: string;
  readonly program: string;
  readonly pki: string;
  readonly days: number;
  /** Whether a CA key is passphrase-protected: the service then reads it from a systemd credential. */
  readonly encryptedKey: boolean;
}

/** The two unit files, named as they are to be installed. */
export interface CrlTimerUnits {
  readonly serviceName: string;
  readonly service: string;
  readonly timerName: string;
  readonly timer: string;
}

/**
 * One word of an ExecStart= line, quoted as systemd reads it: in double quotes with `\` and `"`
 * escaped when it holds anything but plain path characters; `%` and `$` doubled, since systemd
 * expands specifiers and variables even inside quotes.
 */
export function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function execLine(words: readonly string[]): string {
  return words.map(systemdWord).join(" ");
}

/** The service and timer `pgwarden crl --print-timer` prints. */
export function crlTimerUnits(options: CrlTimerOptions): CrlTimerUnits {
  const base = [options.node, options.program];
  // ${CREDENTIALS_DIRECTORY} must reach systemd unquoted and unescaped: it is the one word written as is.
  const write = `${execLine([...base, "crl", "--pki", options.pki, "--days", String(options.days)])}${
    options.encryptedKey ? ` --passphrase-file \${CREDENTIALS_DIRECTORY}/ca-passphrase` : ""
  }`;
  const install = execLine([
    ...base,
    "pg",
    "tls",
    "--pki",
    options.pki,
    "--pgdata",
    "/var/lib/postgresql/15/main",
    "--reload",
  ]);
  const service = [
    "[Unit]",
    "Description=Regenerate pgwarden's CRLs and install them before they expire",
    "",
    "[Service]",
    "Type=oneshot",
    ...(options.encryptedKey
      ? [
          "# The CA key is encrypted: its passphrase, readable by root only.",
          "LoadCredential=ca-passphrase:/etc/pgwarden/ca-passphrase",
        ]
      : []),
    `ExecStart=${write}`,
    "# ADAPT: install the new CRL on each PostgreSQL server this host serves (its data directory,",
    "# or --conn for a remote one), with the same flags you gave pg tls; one ExecStart= per cluster.",
    `ExecStart=${install}`,
    "",
  ].join("\n");
  const timer = [
    "[Unit]",
    `Description=Regenerate pgwarden's CRLs daily (they are valid ${options.days} days)`,
    "",
    "[Timer]",
    "OnCalendar=daily",
    "Persistent=true",
    "RandomizedDelaySec=1h",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
  return { serviceName: "pgwarden-crl.service", service, timerName: "pgwarden-crl.timer", timer };
}
