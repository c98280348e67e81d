import { type HbaRule } from "../../../hba/model.js";

/** Rules under which the server verifies a client certificate: method cert, or clientcert=verify-ca|verify-full. */
export function clientCertificateRules(rules: readonly HbaRule[]): HbaRule[] {
  return rules.filter(
    (rule) =>
      rule.method === "cert" || (rule.options.clientcert !== undefined && rule.options.clientcert !== "no-verify"),
  );
}

/** PostgreSQL's refusal of a clientcert= line when ssl_ca_file is empty (hba.c, PostgreSQL 12 to 17). */
export const CLIENTCERT_WITHOUT_CA =
  /clientcert can only be configured if a root certificate store is available|root certificate store/;
