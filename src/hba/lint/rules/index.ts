import type { LintCheck } from "../lint-rule.js";
import { allAllFromNetwork } from "./all-all-from-network.js";
import { hostsslWithoutSsl } from "./hostssl-without-ssl.js";
import { identOverTcp } from "./ident-over-tcp.js";
import { md5Deprecated } from "./md5-deprecated.js";
import { passwordCleartext } from "./password-cleartext.js";
import { passwordWithoutTls } from "./password-without-tls.js";
import { replicationWide } from "./replication-wide.js";
import { duplicateRule, shadowedRule } from "./shadowed-rule.js";
import { superuserWithoutCert } from "./superuser-without-cert.js";
import { trustFromNetwork } from "./trust-from-network.js";
import { unknownIdentMap } from "./unknown-ident-map.js";
import { wideAddress } from "./wide-address.js";

/** Every HBA lint check, in the order findings are reported for one rule. */
export const LINT_CHECKS: readonly LintCheck[] = [
  trustFromNetwork,
  passwordCleartext,
  passwordWithoutTls,
  superuserWithoutCert,
  wideAddress,
  replicationWide,
  allAllFromNetwork,
  identOverTcp,
  md5Deprecated,
  hostsslWithoutSsl,
  unknownIdentMap,
  shadowedRule,
  duplicateRule,
];
