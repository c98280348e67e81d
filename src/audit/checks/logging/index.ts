import { type AuditCheck } from "../../audit-check.js";
import { debugPrint } from "./debug-print.js";
import { listenAll } from "./listen-all.js";
import { logConnections } from "./log-connections.js";
import { logDestinationEmpty } from "./log-destination-empty.js";
import { logDisconnections } from "./log-disconnections.js";
import { logErrorVerbosity } from "./log-error-verbosity.js";
import { logFileMode } from "./log-file-mode.js";
import { logHostname } from "./log-hostname.js";
import { logLinePrefix } from "./log-line-prefix.js";
import { logMinErrorStatement } from "./log-min-error-statement.js";
import { logMinMessages } from "./log-min-messages.js";
import { logReplicationCommands } from "./log-replication-commands.js";
import { logRotationOff } from "./log-rotation-off.js";
import { logStatementNone } from "./log-statement-none.js";
import { logTimezone } from "./log-timezone.js";
import { loggingCollectorOff } from "./logging-collector-off.js";
import { pgauditAbsent } from "./pgaudit-absent.js";
import { syslogLossy } from "./syslog-lossy.js";

/** Logging: what is recorded, where, and whether it can serve as evidence; and where the server listens. */
export const LOGGING_CHECKS: readonly AuditCheck[] = [
  logConnections,
  logDisconnections,
  logStatementNone,
  logLinePrefix,
  logReplicationCommands,
  pgauditAbsent,
  loggingCollectorOff,
  logDestinationEmpty,
  logFileMode,
  logRotationOff,
  debugPrint,
  logErrorVerbosity,
  logMinMessages,
  logMinErrorStatement,
  logHostname,
  logTimezone,
  syslogLossy,
  listenAll,
];
