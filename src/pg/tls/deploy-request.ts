import type { CertificateAuthority } from "../../pki/authority/certificate-authority.js";
import type { PkiLayout } from "../../pki/pki-layout.js";
import type { ConnectOptions } from "../connect.js";
import type { SnippetTarget } from "../tls-snippets.js";
import type { ServerCertificateAsk } from "./server-request.js";

/** What `pg tls` is asked to do (its flags): exactly one of pgdata, conn and print names the mode. */
export interface TlsDeployRequest extends ServerCertificateAsk {
  /** A cluster on this machine: files into it, settings into pgwarden.conf (relative paths are resolved here). */
  readonly pgdata?: string;
  /** A running server reached as a superuser (libpq URL or key=value string): files where data_directory is, settings through ALTER SYSTEM. */
  readonly conn?: string;
  /** The TLS lines for pgbouncer, Patroni or etcd on the host `cn`. */
  readonly print?: SnippetTarget;
  /** With pgdata: its postgresql.conf (default PGDATA/postgresql.conf). */
  readonly configFile?: string;
  /** With pgdata: reload the running server (pg_ctl reload) and require that it serves the new certificate. */
  readonly reload?: boolean;
  /** Say what would change, change nothing. */
  readonly dryRun?: boolean;
  /** With pgdata: the server's log, to quote PostgreSQL's reason when a reload is rejected (default: from current_logfiles). */
  readonly log?: string;
  /** With pgdata: PostgreSQL's programs, for pg_ctl reload. */
  readonly pgBin?: string;
  /** With print: the client certificate the program presents when it connects out. */
  readonly clientCn?: string;
  /** With print: folder of the clientCn certificate (default client). */
  readonly clientGroup?: string;
}

/** What `pg tls` works with besides its request; nothing here is read before the mode is known to be valid. */
export interface TlsDeployEnvironment {
  /** The PKI (a function, so an invalid request is refused before the PKI directory is judged). */
  readonly layout: () => PkiLayout;
  /** The CA that signs the server certificate, loaded by the modes that issue (not by print). */
  readonly signingCa: () => Promise<CertificateAuthority>;
  /** How to connect with conn: where libpq's warnings go, which CA to name when verification fails. */
  readonly connect: ConnectOptions;
  readonly now: Date;
  /** This machine's name: the default CN. */
  readonly hostname: string;
  /** A warning for the person (e.g. an ALTER SYSTEM setting that overrides pgwarden.conf). */
  readonly onWarning: (message: string) => void;
  /** A note for the person (e.g. a file kept as .bak). */
  readonly onInfo: (message: string) => void;
}
