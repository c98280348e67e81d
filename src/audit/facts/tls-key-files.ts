import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";

import { type Fact, FactUnavailable } from "../fact.js";
import { settingsFact, settingValue } from "./settings.js";

/** The owner and mode of one file on the server's host. */
export interface FileStatus {
  readonly setting: "ssl_key_file" | "ssl_cert_file";
  /** As the setting names it. */
  readonly path: string;
  /** Resolved against PGDATA, absolute (a relative --pgdata is taken from the working directory). */
  readonly resolved: string;
  readonly exists: boolean;
  readonly regular: boolean;
  readonly uid: number;
  readonly owner: string;
  /** Permission bits (0o7777). */
  readonly mode: number;
}

/** The server's key and certificate files as the host has them, and the user the server runs as. */
export interface TlsKeyFiles {
  readonly pgdata: string;
  /** PGDATA's owner: the user PostgreSQL runs as (it refuses to start otherwise). */
  readonly serverUid: number;
  readonly serverUser: string;
  readonly files: readonly FileStatus[];
}

/** uid -> name from /etc/passwd; the uid as text when not listed. */
async function userNames(): Promise<(uid: number) => string> {
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
  const names = new Map<number, string>();
  for (const line of passwd.split("\n")) {
    const [name, , uid] = line.split(":");
    if (name && uid !== undefined && /^\d+$/.test(uid)) names.set(Number(uid), name);
  }
  return (uid) => names.get(uid) ?? String(uid);
}

/**
 * With --pgdata (the audit runs on the server's host): owner and mode of ssl_key_file and
 * ssl_cert_file (relative paths are relative to PGDATA, as for the server), and PGDATA's owner.
 * Without --pgdata there is nothing to look at: not applicable.
 */
export const tlsKeyFilesFact: Fact<TlsKeyFiles> = {
  id: "tls-key-files",
  scope: "server",
  async collect(source) {
    const pgdata = source.pgdata;
    if (pgdata === undefined)
      throw new FactUnavailable({ kind: "not-applicable", reason: "file modes need --pgdata (the audit on the host)" });
    const settings = await source.get(settingsFact);
    const nameOf = await userNames();
    let serverUid: number;
    try {
      serverUid = (await stat(pgdata)).uid;
    } catch (error) {
      throw new FactUnavailable({
        kind: "failed",
        reason: `cannot read --pgdata ${pgdata}: ${(error as Error).message}`,
      });
    }
    const files: FileStatus[] = [];
    for (const setting of ["ssl_key_file", "ssl_cert_file"] as const) {
      const path = settingValue(settings, setting) ?? "";
      if (path === "") continue;
      const resolved = resolve(pgdata, path);
      const status = await stat(resolved).catch(() => undefined);
      files.push({
        setting,
        path,
        resolved,
        exists: status !== undefined,
        regular: status?.isFile() ?? false,
        uid: status?.uid ?? -1,
        owner: status ? nameOf(status.uid) : "",
        mode: (status?.mode ?? 0) & 0o7777,
      });
    }
    return { pgdata, serverUid, serverUser: nameOf(serverUid), files };
  },
};
