import { type AuditCheck } from "../../audit-check.js";
import { logConnections } from "./log-connections.js";

/** Logging and integrity: what is recorded, and whether the data on disk can be trusted. */
export const LOGGING_CHECKS: readonly AuditCheck[] = [logConnections];
