/*
 * The TLS lines a person pastes into the services around PostgreSQL: pgbouncer.ini, Patroni's
 * YAML (`restapi:` and `ctl:`) and etcd's command line. Pure: text in, text out, no I/O.
 *
 * Every snippet makes both sides verify: clients must present a certificate from the CA, and the
 * service verifies whatever it connects to against the same CA.
 */
import { posix } from "node:path";

import { PgwardenError, usageError } from "../core/errors.js";
import { parseSubjectAltName, type SubjectAltName } from "../pki/names/subject-alt-name.js";

/** The services {@link renderTlsSnippet} writes configuration for. */
export type SnippetTarget = "pgbouncer" | "patroni" | "etcd";

/** Every {@link SnippetTarget}, in the order help text lists them. */
export const SNIPPET_TARGETS: readonly SnippetTarget[] = ["pgbouncer", "patroni", "etcd"];

/** Absolute paths, on the service's host, of the files a snippet names. */
export interface SnippetFiles {
  /** CA certificate that verifies client certificates and the servers the service connects to. */
  readonly caCert: string;
  /**
   * The service's own certificate. For etcd, and for Patroni without {@link clientCert}, it also
   * serves as a client certificate, so issue it with the `peer` profile.
   */
  readonly cert: string;
  /** Private key of {@link cert}. */
  readonly key: string;
  /**
   * Certificate the service presents when it connects out: pgbouncer to PostgreSQL (the CN is the
   * role pgbouncer logs in as), patronictl to the REST API. Optional; etcd does not take one.
   */
  readonly clientCert?: string;
  /** Private key of {@link clientCert}; required exactly when it is given. */
  readonly clientKey?: string;
}

/** Default ports: Patroni's REST API, etcd's client and peer listeners. */
const PATRONI_RESTAPI_PORT = 8008;
const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;

/** Line breaks and other control characters (C0, DEL, C1, and what YAML counts as line breaks). */
const CONTROL_CHARACTER_PATTERN = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;
const SHELL_SAFE_PATTERN = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** A YAML plain scalar that no YAML 1.1 or 1.2 parser reads as anything but this string. */
const YAML_PLAIN_PATTERN = /^[A-Za-z/][A-Za-z0-9_./:-]*$/;
const YAML_RESERVED_WORD_PATTERN = /^(?:y|n|yes|no|true|false|on|off|null)$/i;

/**
 * Renders the TLS configuration of `target` on `host` (a DNS name or an IP address: the name
 * clients use, which the service's certificate must carry as a SAN). The first line is a comment
 * saying what the text is for; the text ends with a newline.
 *
 * - `pgbouncer`: lines for the `[pgbouncer]` section of pgbouncer.ini (`client_tls_*` with
 *   `verify-full`, `server_tls_*` with `verify-full`; `server_tls_cert_file`/`key_file` only
 *   with a client certificate). Values run to the end of the line, unquoted.
 * - `patroni`: the `restapi:` (with `verify_client: required`) and `ctl:` sections of
 *   patroni.yml; paths are single-quoted when YAML needs it.
 * - `etcd`: an `etcd` command line with client and peer TLS and certificate authentication on
 *   both; arguments are quoted for a POSIX shell.
 *
 * Throws a usage error for a host that is neither a DNS name nor an IP address, a relative path,
 * a path with a control character, a client certificate without its key (or the reverse), a
 * client certificate for etcd, and a pgbouncer path ending in white space.
 */
export function renderTlsSnippet(target: SnippetTarget, host: string, files: SnippetFiles): string {
  const name = parseHost(host);
  checkFiles(files);
  switch (target) {
    case "pgbouncer":
      return renderPgbouncer(name, files);
    case "patroni":
      return renderPatroni(name, files);
    case "etcd":
      return renderEtcd(name, files);
    default:
      throw usageError(
        "bad-snippet-target",
        `unknown snippet target ${JSON.stringify(target)}: use one of ${SNIPPET_TARGETS.join(", ")}`,
      );
  }
}

function parseHost(host: string): SubjectAltName {
  try {
    return parseSubjectAltName(host);
  } catch (error) {
    if (!(error instanceof PgwardenError)) throw error;
    throw usageError(
      "bad-host",
      `host ${JSON.stringify(host)} is neither a DNS name nor an IP address (${error.message})`,
    );
  }
}

function checkFiles(files: SnippetFiles): void {
  if ((files.clientCert === undefined) !== (files.clientKey === undefined)) {
    throw usageError("client-cert-without-key", "give the client certificate and its key together, or neither");
  }
  const named: [string, string | undefined][] = [
    ["CA certificate", files.caCert],
    ["certificate", files.cert],
    ["key", files.key],
    ["client certificate", files.clientCert],
    ["client key", files.clientKey],
  ];
  for (const [what, path] of named) {
    if (path === undefined) continue;
    if (CONTROL_CHARACTER_PATTERN.test(path)) {
      throw usageError(
        "bad-path",
        `${what} path ${JSON.stringify(path)} contains a line break or control character, which no configuration file can hold`,
      );
    }
    // Each service resolves a relative path against its own working directory, not ours.
    if (!posix.isAbsolute(path))
      throw usageError("relative-path", `${what} path ${JSON.stringify(path)} is relative: give an absolute path`);
  }
}

/** `host:port`, with an IPv6 address in brackets. */
function hostPort(host: SubjectAltName, port: number): string {
  return host.type === "ip" && host.value.includes(":") ? `[${host.value}]:${port}` : `${host.value}:${port}`;
}

/**
 * pgbouncer.ini takes a value from after `=` to the end of the line, stripping white space at
 * both ends, with no quoting or escapes: `#` and `;` only start comments at the start of a line.
 */
function iniValue(path: string): string {
  if (/\s$/.test(path))
    throw usageError(
      "bad-path",
      `path ${JSON.stringify(path)} ends in white space, which pgbouncer.ini strips from values`,
    );
  return path;
}

function renderPgbouncer(host: SubjectAltName, files: SnippetFiles): string {
  const lines = [
    `; pgbouncer.ini TLS for ${host.value}: paste into the [pgbouncer] section (a second [pgbouncer] header resets earlier settings)`,
    "; clients must present a certificate from the CA; PostgreSQL's certificate must name each [databases] host=",
    "client_tls_sslmode = verify-full",
    `client_tls_key_file = ${iniValue(files.key)}`,
    `client_tls_cert_file = ${iniValue(files.cert)}`,
    `client_tls_ca_file = ${iniValue(files.caCert)}`,
    "client_tls_protocols = secure",
    "server_tls_sslmode = verify-full",
    `server_tls_ca_file = ${iniValue(files.caCert)}`,
  ];
  if (files.clientCert !== undefined && files.clientKey !== undefined) {
    lines.push(
      `server_tls_cert_file = ${iniValue(files.clientCert)}`,
      `server_tls_key_file = ${iniValue(files.clientKey)}`,
    );
  }
  lines.push("server_tls_protocols = secure");
  return lines.join("\n") + "\n";
}

/** A YAML scalar for a string: plain when unambiguous, else single-quoted (`'` doubled). */
function yamlString(value: string): string {
  if (YAML_PLAIN_PATTERN.test(value) && !value.endsWith(":") && !YAML_RESERVED_WORD_PATTERN.test(value)) return value;
  return `'${value.replace(/'/g, "''")}'`;
}

function renderPatroni(host: SubjectAltName, files: SnippetFiles): string {
  const address = yamlString(hostPort(host, PATRONI_RESTAPI_PORT));
  return (
    [
      `# patroni.yml REST API TLS for ${host.value}: merge into the restapi: and ctl: sections (keep restapi.authentication)`,
      "restapi:",
      `  listen: ${address}`,
      `  connect_address: ${address}`,
      `  certfile: ${yamlString(files.cert)}`,
      `  keyfile: ${yamlString(files.key)}`,
      `  cafile: ${yamlString(files.caCert)}`,
      "  verify_client: required",
      "ctl:",
      "  insecure: false",
      `  certfile: ${yamlString(files.clientCert ?? files.cert)}`,
      `  keyfile: ${yamlString(files.clientKey ?? files.key)}`,
      `  cacert: ${yamlString(files.caCert)}`,
    ].join("\n") + "\n"
  );
}

/** One word for a POSIX shell: as is when every character is safe, else single-quoted. */
function shellWord(value: string): string {
  return SHELL_SAFE_PATTERN.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function renderEtcd(host: SubjectAltName, files: SnippetFiles): string {
  if (files.clientCert !== undefined) {
    throw usageError(
      "etcd-client-cert",
      "etcd presents its own certificate to its peers: issue it with the peer profile and give no client certificate",
    );
  }
  // etcd binds IP addresses only; a name other than localhost leaves the interface to the reader.
  const bindsAll = host.type === "dns" && host.value !== "localhost";
  const bind: SubjectAltName = host.type === "ip" ? host : { type: "ip", value: bindsAll ? "0.0.0.0" : "127.0.0.1" };
  const url = (h: SubjectAltName, port: number): string => `https://${hostPort(h, port)}`;
  const flag = (name: string, value?: string): string =>
    value === undefined ? `--${name}` : `--${name}=${shellWord(value)}`;
  const flags = [
    flag("cert-file", files.cert),
    flag("key-file", files.key),
    flag("trusted-ca-file", files.caCert),
    flag("client-cert-auth"),
    flag("advertise-client-urls", url(host, ETCD_CLIENT_PORT)),
    flag("listen-client-urls", url(bind, ETCD_CLIENT_PORT)),
    flag("peer-cert-file", files.cert),
    flag("peer-key-file", files.key),
    flag("peer-trusted-ca-file", files.caCert),
    flag("peer-client-cert-auth"),
    flag("initial-advertise-peer-urls", url(host, ETCD_PEER_PORT)),
    flag("listen-peer-urls", url(bind, ETCD_PEER_PORT)),
  ];
  const header = [
    `# etcd TLS for ${host.value}: clients (port ${ETCD_CLIENT_PORT}) and peers (port ${ETCD_PEER_PORT}) must present a certificate from the CA`,
  ];
  if (bindsAll)
    header.push(
      "# etcd binds IP addresses only, so it listens on 0.0.0.0: put this host's address there to listen on one interface",
    );
  return [...header, "etcd \\", ...flags.map((f, i) => `  ${f}${i < flags.length - 1 ? " \\" : ""}`)].join("\n") + "\n";
}
