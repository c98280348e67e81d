import { readdir, readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";

import { decodePemBlocks } from "../../pki/encoding/pem.js";
import { type Fact, FactUnavailable, type ServerSource } from "../fact.js";
import { settingsFact, settingValue } from "./settings.js";

/** A file the server's TLS settings name, read the way the server reads it. */
export interface ServerTlsFile {
  /** The setting's value, as the evidence shows it. */
  readonly path: string;
  readonly setting: "ssl_ca_file" | "ssl_crl_file" | "ssl_crl_dir";
}

/** The CA and CRL files the server's TLS settings name, read from disk (--pgdata) or through the connection. */
export interface ServerTlsFiles {
  /** ssl_ca_file's certificates (DER), when ssl_ca_file is set and readable. */
  readonly caFile?: ServerTlsFile & { readonly certificates: readonly Buffer[] };
  /** Every CRL of ssl_crl_file and of the files in ssl_crl_dir (DER), each with its file. */
  readonly crls: readonly (ServerTlsFile & { readonly file: string; readonly der: Buffer })[];
  /** Files a setting names that could not be read (missing: the server cannot load them either). */
  readonly unreadable: readonly (ServerTlsFile & { readonly reason: string })[];
}

/** Reads and lists server files: on disk relative to PGDATA, or with pg_read_binary_file/pg_ls_dir. */
interface ServerFiles {
  read(path: string): Promise<Buffer>;
  list(dir: string): Promise<string[]>;
}

const GRANT =
  "GRANT pg_read_server_files TO <auditor>; GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text), " +
  "pg_catalog.pg_ls_dir(text) TO <auditor> (or audit on the host with --pgdata)";

/**
 * The files behind ssl_ca_file, ssl_crl_file and ssl_crl_dir (relative paths are relative to
 * PGDATA, as for the server). With --pgdata they are read from disk; otherwise through the
 * connection with pg_read_binary_file, which needs a superuser or the grants above. Read-only.
 */
export const serverTlsFilesFact: Fact<ServerTlsFiles> = {
  id: "server-tls-files",
  scope: "server",
  async collect(source) {
    const settings = await source.get(settingsFact);
    const named = (["ssl_ca_file", "ssl_crl_file", "ssl_crl_dir"] as const)
      .map((setting) => ({ setting, path: settingValue(settings, setting) ?? "" }))
      .filter((file) => file.path !== "");
    const files = source.pgdata === undefined ? await overConnection(source, named) : onDisk(source.pgdata);
    const result: {
      caFile?: ServerTlsFiles["caFile"];
      crls: (ServerTlsFile & { file: string; der: Buffer })[];
      unreadable: (ServerTlsFile & { reason: string })[];
    } = { crls: [], unreadable: [] };
    for (const file of named) {
      try {
        if (file.setting === "ssl_crl_dir") {
          for (const name of (await files.list(file.path)).sort()) {
            const inDir = `${file.path.replace(/\/$/, "")}/${name}`;
            result.crls.push(...crlsOf(await files.read(inDir)).map((der) => ({ ...file, file: inDir, der })));
          }
        } else {
          const blocks = decodePemBlocks((await files.read(file.path)).toString("latin1"));
          if (file.setting === "ssl_ca_file")
            result.caFile = { ...file, certificates: blocks.filter(isCertificate).map((block) => block.der) };
          else result.crls.push(...crlsOf(blocks).map((der) => ({ ...file, file: file.path, der })));
        }
      } catch (error) {
        if (error instanceof FactUnavailable) throw error;
        result.unreadable.push({ ...file, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return result;
  },
};

const isCertificate = (block: { label: string }) =>
  block.label === "CERTIFICATE" || block.label === "TRUSTED CERTIFICATE";

function crlsOf(content: Buffer | ReturnType<typeof decodePemBlocks>): Buffer[] {
  const blocks = Buffer.isBuffer(content) ? decodePemBlocks(content.toString("latin1")) : content;
  return blocks.filter((block) => block.label === "X509 CRL").map((block) => block.der);
}

function onDisk(pgdata: string): ServerFiles {
  const resolve = (path: string) => (isAbsolute(path) ? path : join(pgdata, path));
  return { read: (path) => readFile(resolve(path)), list: (dir) => readdir(resolve(dir)) };
}

async function overConnection(source: ServerSource, named: readonly ServerTlsFile[]): Promise<ServerFiles> {
  if (named.length === 0) return { read: () => Promise.reject(new Error("unused")), list: () => Promise.resolve([]) };
  const allowed = await source.client.query<{ can_read: boolean; can_list: boolean; any_path: boolean }>(
    `SELECT pg_catalog.has_function_privilege('pg_catalog.pg_read_binary_file(text)', 'EXECUTE') AS can_read,
       pg_catalog.has_function_privilege('pg_catalog.pg_ls_dir(text)', 'EXECUTE') AS can_list,
       pg_catalog.pg_has_role(current_user, 'pg_read_server_files', 'USAGE') AS any_path`,
  );
  const row = allowed.rows[0];
  const needsList = named.some((file) => file.setting === "ssl_crl_dir");
  const needsAnyPath = named.some((file) => isAbsolute(file.path));
  if (!row?.can_read || (needsList && !row.can_list) || (needsAnyPath && !row.any_path))
    throw new FactUnavailable({
      kind: "privilege",
      reason: `reading ${named.map((file) => file.setting).join(", ")} through the connection needs pg_read_binary_file`,
      grant: GRANT,
    });
  return {
    async read(path) {
      const rows = await source.client.query<{ content: Buffer }>(
        "SELECT pg_catalog.pg_read_binary_file($1) AS content",
        [path],
      );
      return rows.rows[0]?.content ?? Buffer.alloc(0);
    },
    async list(dir) {
      const rows = await source.client.query<{ name: string }>("SELECT pg_catalog.pg_ls_dir($1) AS name", [dir]);
      return rows.rows.map((entry) => entry.name);
    },
  };
}
