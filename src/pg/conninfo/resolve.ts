import { join } from "node:path";

import { usageError } from "../../core/errors.js";
import { libpqHomeDirectory, osUserName } from "./home-directory.js";
import { KEYWORDS, keywordSpec } from "./keywords.js";
import { type ConninfoForm, parseConninfo } from "./parse.js";
import { passwordFromFile } from "./passfile.js";
import { lookUpService } from "./service-file.js";
import {
  CHANNEL_BINDINGS,
  type ChannelBinding,
  GSSENC_MODES,
  integerValue,
  oneOf,
  portValue,
  SSL_MODES,
  type SslMode,
  TARGET_SESSION_ATTRS,
  type TlsProtocolVersion,
  tlsVersionValue,
} from "./values.js";

/** Debian's libpq: the socket directory it uses when no host is given (DEFAULT_PGSOCKET_DIR). */
export const DEFAULT_SOCKET_DIRECTORY = "/var/run/postgresql";
export const DEFAULT_PORT = 5432;

/** The files libpq looks for under ~/.postgresql when the string does not name them (fe-secure-openssl.c). */
const HOME_TLS_FILES = {
  sslrootcert: "root.crt",
  sslcrl: "root.crl",
  sslcert: "postgresql.crt",
  sslkey: "postgresql.key",
} as const;
type TlsFileKeyword = keyof typeof HOME_TLS_FILES;

/** A TLS file libpq would read, and whether it was named (a named file must exist) or is libpq's default. */
export interface TlsFile {
  readonly path: string;
  /** Where it was named (`--conn`, `PGSSLROOTCERT`, a service line), or undefined for libpq's default under ~/.postgresql. */
  readonly namedBy?: string;
}

/** One connection, every keyword settled: what libpq would use. Holds the password in memory only. */
export interface ResolvedConnection {
  readonly form: ConninfoForm | "none";
  /** A host name, an address, or a Unix socket directory. */
  readonly host: string;
  readonly socket: boolean;
  readonly port: number;
  readonly user: string;
  readonly dbname: string;
  readonly password?: string;
  /** Where the password came from (PGPASSWORD, a passfile, a service file), never the password. */
  readonly passwordFrom?: string;
  readonly sslmode: SslMode;
  readonly sslrootcert: TlsFile;
  readonly sslcrl: TlsFile;
  readonly sslcert: TlsFile;
  readonly sslkey: TlsFile;
  readonly channelBinding: ChannelBinding;
  readonly connectTimeoutSeconds?: number;
  readonly sslMinProtocolVersion?: TlsProtocolVersion;
  readonly sslMaxProtocolVersion?: TlsProtocolVersion;
  readonly applicationName?: string;
  readonly fallbackApplicationName?: string;
  readonly options?: string;
  readonly clientEncoding?: string;
  readonly keepalives: boolean;
  readonly keepalivesIdleSeconds?: number;
  /** Where each keyword's value came from: `--conn`, `service NAME (file:line)`, `PGPORT`, or absent for a default. */
  readonly origins: ReadonlyMap<string, string>;
  /** Each keyword set anywhere (the password left out), with its value and where it came from, as {@link origins} names it. */
  readonly settings: ReadonlyMap<string, { readonly value: string; readonly origin: string }>;
  /** What libpq would warn about (a passfile others may read). */
  readonly warnings: readonly string[];
}

export interface ResolveOptions {
  readonly env: NodeJS.ProcessEnv;
  /** How the string is named in messages (`--conn`). */
  readonly source: string;
}

interface Setting {
  readonly value: string;
  readonly origin: string;
}

/**
 * libpq's precedence (fe-connect.c conninfo_add_defaults): the string's keywords, then the
 * service's (`service=` or PGSERVICE), then each keyword's PG* variable, then the defaults.
 * A password in the string is refused: argv is visible to every user (ps, /proc) and lands
 * in shell history.
 */
function settle(
  text: string | undefined,
  options: ResolveOptions,
): { form: ConninfoForm | "none"; settings: Map<string, Setting> } {
  const { env, source } = options;
  const settings = new Map<string, Setting>();
  let form: ConninfoForm | "none" = "none";
  if (text !== undefined) {
    const parsed = parseConninfo(text, source);
    form = parsed.form;
    if ((parsed.keywords.get("password") ?? "") !== "")
      throw usageError("password-in-argv", `${source} must not contain a password: set PGPASSWORD or use ~/.pgpass`);
    for (const [keyword, value] of parsed.keywords) settings.set(keyword, { value, origin: source });
  }
  const service =
    settings.get("service") ??
    (env.PGSERVICE === undefined ? undefined : { value: env.PGSERVICE, origin: "PGSERVICE" });
  if (service !== undefined && service.value !== "") {
    for (const [keyword, setting] of lookUpService(service.value, env, service.origin)) {
      const name = keyword === "requiressl" ? "sslmode" : keyword;
      const value = keyword === "requiressl" ? (setting.value.startsWith("1") ? "require" : "prefer") : setting.value;
      if (!settings.has(name)) settings.set(name, { value, origin: setting.origin });
    }
  }
  for (const spec of KEYWORDS) {
    if (settings.has(spec.name) || spec.envvar === undefined || spec.name === "requiressl") continue;
    const value = env[spec.envvar];
    if (value !== undefined) settings.set(spec.name, { value, origin: spec.envvar });
  }
  // libpq reads PGREQUIRESSL=1 as sslmode=require when neither the string, the service nor PGSSLMODE set it.
  if (!settings.has("sslmode") && env.PGREQUIRESSL?.startsWith("1"))
    settings.set("sslmode", { value: "require", origin: "PGREQUIRESSL" });
  return { form, settings };
}

/** Keywords libpq knows that pgwarden cannot honour: refused by name unless their value asks for nothing more. */
function refuseUnsupported(settings: ReadonlyMap<string, Setting>): void {
  for (const [keyword, { value, origin }] of settings) {
    const spec = keywordSpec(keyword);
    if (spec?.unsupported === undefined || value === "" || spec.harmless?.includes(value)) continue;
    throw usageError(
      "unsupported-conn-keyword",
      `${origin}: ${keyword}=${value} is not supported: ${spec.unsupported}`,
    );
  }
}

/**
 * Settles a connection string (URL, keyword=value, or none at all) into what libpq would use,
 * filling the rest from the service file, PG* variables and libpq's defaults. Bad input is a
 * usage error (exit 2) naming the keyword and where it came from; nothing connects here.
 */
export function resolveConnection(text: string | undefined, options: ResolveOptions): ResolvedConnection {
  const { form, settings } = settle(text, options);
  refuseUnsupported(settings);
  const get = (keyword: string) => settings.get(keyword);
  const value = (keyword: string) => {
    const setting = get(keyword);
    return setting === undefined || setting.value === "" ? undefined : setting;
  };
  const hostSetting = value("host");
  const host = hostSetting?.value ?? DEFAULT_SOCKET_DIRECTORY;
  if (host.includes(","))
    throw usageError(
      "multiple-hosts",
      `${hostSetting?.origin}: host=${host} lists several hosts: pgwarden connects to one; give one host`,
    );
  const portSetting = value("port");
  if (portSetting?.value.includes(","))
    throw usageError(
      "multiple-hosts",
      `${portSetting.origin}: port=${portSetting.value} lists several ports: pgwarden connects to one host; give one port`,
    );
  const port = portSetting === undefined ? DEFAULT_PORT : portValue(portSetting.value, portSetting.origin);
  const user = value("user")?.value ?? osUserName();
  const dbname = value("dbname")?.value ?? user;
  const sslmodeSetting = value("sslmode");
  const sslmode =
    sslmodeSetting === undefined ? "prefer" : oneOf("sslmode", sslmodeSetting.value, SSL_MODES, sslmodeSetting.origin);
  const channel = value("channel_binding");
  const channelBinding =
    channel === undefined ? "prefer" : oneOf("channel_binding", channel.value, CHANNEL_BINDINGS, channel.origin);
  const gss = value("gssencmode");
  if (gss !== undefined) oneOf("gssencmode", gss.value, GSSENC_MODES, gss.origin);
  const target = value("target_session_attrs");
  if (target !== undefined) oneOf("target_session_attrs", target.value, TARGET_SESSION_ATTRS, target.origin);
  const integer = (keyword: string) => {
    const setting = value(keyword);
    return setting === undefined ? undefined : integerValue(keyword, setting.value, setting.origin);
  };
  const connectTimeoutSeconds = integer("connect_timeout");
  const keepalives = integer("keepalives");
  const keepalivesIdleSeconds = integer("keepalives_idle");
  const tlsVersion = (keyword: string) => {
    const setting = value(keyword);
    return setting === undefined ? undefined : tlsVersionValue(keyword, setting.value, setting.origin);
  };
  const sslMinProtocolVersion =
    value("ssl_min_protocol_version") === undefined ? "TLSv1.2" : tlsVersion("ssl_min_protocol_version");
  const sslMaxProtocolVersion = tlsVersion("ssl_max_protocol_version");
  if (sslMinProtocolVersion && sslMaxProtocolVersion && sslMinProtocolVersion > sslMaxProtocolVersion) {
    throw usageError(
      "bad-conn-value",
      `invalid SSL protocol version range: ssl_min_protocol_version=${sslMinProtocolVersion} is above ssl_max_protocol_version=${sslMaxProtocolVersion}`,
    );
  }
  const home = libpqHomeDirectory(options.env);
  const tlsFile = (keyword: TlsFileKeyword): TlsFile => {
    const setting = value(keyword);
    if (setting === undefined) return { path: join(home, ".postgresql", HOME_TLS_FILES[keyword]) };
    if (setting.value.includes("\0"))
      throw usageError(
        "bad-conn",
        `${setting.origin} names ${keyword} with a NUL byte in it: give the path of the file`,
      );
    // Not checked here: libpq reads these files only when it sets up TLS, and goes on without a missing root file
    // (sslmode below verify-ca), client certificate or CRL (tls-material.ts).
    return { path: setting.value, namedBy: setting.origin };
  };
  const warnings: string[] = [];
  let password: string | undefined;
  let passwordFrom: string | undefined;
  const passwordSetting = value("password");
  if (passwordSetting !== undefined) {
    password = passwordSetting.value;
    passwordFrom = passwordSetting.origin;
  } else {
    const passfile = value("passfile")?.value ?? join(home, ".pgpass");
    const answer = passwordFromFile(passfile, {
      host,
      port: String(port),
      dbname,
      user,
      defaultSocketDirectory: DEFAULT_SOCKET_DIRECTORY,
    });
    if (answer.password !== undefined) {
      password = answer.password;
      passwordFrom = `passfile ${passfile}`;
    } else if (answer.warning !== undefined) warnings.push(answer.warning);
  }
  const origins = new Map([...settings].map(([keyword, setting]) => [keyword, setting.origin]));
  const shown = new Map([...settings].filter(([keyword]) => keyword !== "password"));
  return {
    form,
    host,
    socket: host.startsWith("/"),
    port,
    user,
    dbname,
    password,
    passwordFrom,
    sslmode,
    sslrootcert: tlsFile("sslrootcert"),
    sslcrl: tlsFile("sslcrl"),
    sslcert: tlsFile("sslcert"),
    sslkey: tlsFile("sslkey"),
    channelBinding,
    connectTimeoutSeconds,
    sslMinProtocolVersion,
    sslMaxProtocolVersion,
    applicationName: value("application_name")?.value,
    fallbackApplicationName: value("fallback_application_name")?.value,
    options: value("options")?.value,
    clientEncoding: value("client_encoding")?.value,
    keepalives: keepalives !== 0,
    keepalivesIdleSeconds,
    origins,
    settings: shown,
    warnings,
  };
}
