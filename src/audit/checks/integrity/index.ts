import { type AuditCheck } from "../../audit-check.js";
import { archivingFailing } from "./archiving-failing.js";
import { archivingOff } from "./archiving-off.js";
import { checksumFailures } from "./checksum-failures.js";
import { dataChecksumsOff } from "./data-checksums-off.js";
import { fileSettingsErrors } from "./file-settings-errors.js";
import { fsyncOff } from "./fsync-off.js";
import { fullPageWritesOff } from "./full-page-writes-off.js";

/** Integrity: whether the data on disk can be trusted and recovered. */
export const INTEGRITY_CHECKS: readonly AuditCheck[] = [
  dataChecksumsOff,
  checksumFailures,
  fsyncOff,
  fullPageWritesOff,
  fileSettingsErrors,
  archivingOff,
  archivingFailing,
];
