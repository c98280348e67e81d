import { type AuditCheck } from "../../audit-check.js";
import { backupDisabled } from "./backup-disabled.js";
import { backupUnencrypted } from "./backup-unencrypted.js";
import { checksumOff } from "./checksum-off.js";
import { clusterTooSmall } from "./cluster-too-small.js";
import { confNotCrit } from "./conf-not-crit.js";
import { defaultPasswords } from "./default-passwords.js";
import { etcdEven } from "./etcd-even.js";
import { listenAll } from "./listen-all.js";
import { patroniSslOff } from "./patroni-ssl-off.js";
import { pgbouncerSslmodeDisable } from "./pgbouncer-sslmode-disable.js";
import { singleInfra } from "./single-infra.js";

/** The inventory's checks (--inventory): what Pigsty will deploy, judged once from the file, whatever servers are audited. */
export const INVENTORY_CHECKS: readonly AuditCheck[] = [
  defaultPasswords,
  backupDisabled,
  backupUnencrypted,
  patroniSslOff,
  pgbouncerSslmodeDisable,
  listenAll,
  clusterTooSmall,
  etcdEven,
  singleInfra,
  checksumOff,
  confNotCrit,
];
