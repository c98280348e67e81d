import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { type TlsSession, tlsSessionsFact } from "../../facts/tls-sessions.js";

const isLoopback = (address: string) =>
  address === "::1" || address.startsWith("127.") || address === "::ffff:127.0.0.1";

/** Sessions connected over TCP right now without TLS (pg_stat_ssl), one finding per role, database and address. */
export const sessionsWithoutTls: AuditCheck = {
  id: "tls/sessions-without-tls",
  title: "Sessions connected over TCP without TLS",
  layer: "network",
  severity: "high",
  soc2: ["CC6.7"],
  cis: "5.8",
  scope: "server",
  why: "These sessions are open now in clear text: their queries and results cross the network readable by anyone on the path. From loopback only the host's own users could read them.",
  fix: "connect these clients with sslmode=verify-full (sslrootcert=the CA), and make their rules hostssl so the server refuses clear text",
  facts: [tlsSessionsFact],
  run(context) {
    const groups = new Map<string, TlsSession[]>();
    for (const session of context.fact(tlsSessionsFact)) {
      // The audit's own connection is the operator's choice of sslmode, not a client of the server.
      if (session.ssl || session.own) continue;
      const key = `${session.backendType === "walsender" ? "replication " : ""}${session.user ?? "?"}@${session.database ?? "replication"} from ${session.clientAddress}`;
      groups.set(key, [...(groups.get(key) ?? []), session]);
    }
    return [...groups].map(([subject, sessions]): FindingDraft => {
      const first = sessions[0] as TlsSession;
      const loopback = isLoopback(first.clientAddress);
      return {
        subject,
        message: `${sessions.length} session${sessions.length === 1 ? "" : "s"} of ${subject} without TLS`,
        evidence: sessions.map((session) => ({
          label: `session pid ${session.pid}`,
          value: `${session.backendType} ${session.user ?? "?"}@${session.database ?? "-"} from ${session.clientAddress}: pg_stat_ssl.ssl = false`,
        })),
        ...(loopback ? { severity: "low" as const } : {}),
      };
    });
  },
};
