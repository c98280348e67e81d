import { nameText } from "../../../pki/verify/distinguished-name.js";
import { crlTimeProblem, parseRevocationList } from "../../../pki/verify/revocation-list.js";
import { type AuditCheck } from "../../audit-check.js";
import { serverTlsFilesFact } from "../../facts/server-tls-files.js";

/**
 * A CRL the server loads is past its nextUpdate: OpenSSL then fails every client certificate of
 * that CA ("CRL has expired"), so all of its certificate logins are refused.
 */
export const crlExpired: AuditCheck = {
  id: "tls/crl-expired",
  title: "The server's CRL has expired",
  layer: "network",
  severity: "high",
  soc2: ["CC6.1", "A1.2"],
  cis: "6.8",
  scope: "server",
  why: "PostgreSQL checks client certificates against its CRLs; once a CRL is past nextUpdate, OpenSSL refuses every certificate of its issuer: certificate logins of that CA are all down.",
  fix: "pgwarden crl (a fresh CRL for every issuer; pgwarden crl --print-timer keeps them fresh), then pgwarden pg tls --conn URL --reload",
  facts: [serverTlsFilesFact],
  run(context) {
    const now = Math.floor(context.now.getTime() / 1000);
    return context.fact(serverTlsFilesFact).crls.flatMap((entry) => {
      let crl;
      try {
        crl = parseRevocationList(entry.der);
      } catch {
        return [];
      }
      if (crlTimeProblem(crl, now) !== "crlHasExpired") return [];
      const issuer = nameText(crl.issuer);
      const nextUpdate = new Date((crl.nextUpdate ?? 0) * 1000).toISOString();
      return [
        {
          subject: `${entry.file}: ${issuer}`,
          message: `the CRL of ${issuer} in ${entry.file} expired on ${nextUpdate}: its client certificates are all refused`,
          evidence: [
            { label: `setting ${entry.setting}`, value: entry.path },
            { label: "CRL issuer", value: issuer },
            { label: "CRL nextUpdate", value: nextUpdate },
          ],
        },
      ];
    });
  },
};
