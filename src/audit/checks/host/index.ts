import { type AuditCheck } from "../../audit-check.js";
import { hbaFileMode } from "./hba-file-mode.js";
import { logDirectoryInPgdata } from "./log-directory-in-pgdata.js";
import { pgdataMode } from "./pgdata-mode.js";
import { pgdataSymlinks } from "./pgdata-symlinks.js";
import { tablespaceInPgdata } from "./tablespace-in-pgdata.js";
import { unixSocketPermissions } from "./unix-socket-permissions.js";

/** The host: the data directory's files and modes (with --pgdata) and where the server keeps its files. */
export const HOST_CHECKS: readonly AuditCheck[] = [
  pgdataMode,
  hbaFileMode,
  pgdataSymlinks,
  logDirectoryInPgdata,
  tablespaceInPgdata,
  unixSocketPermissions,
];
