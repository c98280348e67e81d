import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";

import type pg from "pg";

import { ExitCode, PgwardenError } from "../../core/errors.js";
import { listIssuerFiles } from "../../pki/authority/issuers.js";
import type { PkiLayout } from "../../pki/pki-layout.js";
import { readRevocations, type RevocationRecord } from "../../pki/records/revocations.js";
import { isInsufficientPrivilege } from "../sqlstate.js";
import { nameKey, nodeNameAttributes, sessionDnAttributes } from "./session-dn.js";
import { listTlsSessions, type TlsSession } from "./tls-sessions.js";

/** How long pg_terminate_backend waits for a backend to be gone, so "terminated" means ended, not only signalled. */
export const TERMINATE_WAIT_MS = 5000;

/** A TLS session and, when its client certificate is revoked in this PKI, the revocation. */
export interface SessionStatus extends TlsSession {
  readonly revocation: RevocationRecord | null;
  /** With terminate: whether pg_terminate_backend ended it (false: it had already gone, or it is this session). */
  readonly terminated?: boolean;
}

export interface SessionsOptions {
  /** Only sessions whose client certificate is revoked. */
  readonly revokedOnly?: boolean;
  /** End the revoked sessions (never pgwarden's own) with pg_terminate_backend. */
  readonly terminate?: boolean;
}

/** Ends one backend, waiting for it to be gone; a role not allowed to signal it is exit 6, naming the session. */
async function terminateBackend(client: pg.Client, session: TlsSession): Promise<boolean> {
  try {
    const result = await client.query<{ ended: boolean }>(
      "SELECT pg_catalog.pg_terminate_backend($1::int, $2::bigint) AS ended",
      [session.pid, TERMINATE_WAIT_MS],
    );
    return result.rows[0]?.ended ?? false;
  } catch (error) {
    if (!isInsufficientPrivilege(error)) throw error;
    throw new PgwardenError(
      "cannot-terminate",
      `cannot end session ${session.pid} (${session.user ?? "?"}): ${(error as Error).message}; connect as a superuser`,
      ExitCode.privilege,
    );
  }
}

/** issuer DN (comparable form) -> the issuer names of this PKI with that subject. */
async function issuerNamesByDn(layout: PkiLayout): Promise<Map<string, string[]>> {
  const byDn = new Map<string, string[]>();
  for (const issuer of await listIssuerFiles(layout)) {
    let subject: string;
    try {
      subject = new X509Certificate(await readFile(issuer.certPath)).subject;
    } catch {
      // An unreadable issuer certificate matches no session: its revocations cannot be told apart.
      continue;
    }
    const key = nameKey(nodeNameAttributes(subject));
    byDn.set(key, [...(byDn.get(key) ?? []), issuer.name]);
  }
  return byDn;
}

/**
 * The server's open TLS sessions, each marked with the revocation of its client certificate when
 * this PKI revoked it: the serial (pg_stat_ssl's decimal, turned to hex) and the issuer, whose DN
 * must be the subject of the issuer the revocation names. With `terminate`, the revoked sessions
 * are ended by pg_terminate_backend with the pid as a parameter, and each is reported.
 */
export async function tlsSessionStatus(
  client: pg.Client,
  layout: PkiLayout | undefined,
  options: SessionsOptions = {},
): Promise<SessionStatus[]> {
  const sessions = await listTlsSessions(client);
  const revoked = new Map<string, RevocationRecord>();
  let issuers = new Map<string, string[]>();
  if (layout !== undefined) {
    for (const revocation of (await readRevocations(layout)).revocations)
      revoked.set(`${revocation.issuerName}/${revocation.serial}`, revocation);
    issuers = await issuerNamesByDn(layout);
  }
  const revocationOf = (session: TlsSession): RevocationRecord | null => {
    if (session.clientSerial === null || session.issuerDn === null) return null;
    for (const name of issuers.get(nameKey(sessionDnAttributes(session.issuerDn))) ?? []) {
      const found = revoked.get(`${name}/${session.clientSerial}`);
      if (found) return found;
    }
    return null;
  };
  const statuses = sessions
    .map((session) => ({ ...session, revocation: revocationOf(session) }))
    .filter((session) => !options.revokedOnly || session.revocation !== null);
  if (!options.terminate) return statuses;
  const ended: SessionStatus[] = [];
  for (const session of statuses) {
    if (session.revocation === null) {
      ended.push(session);
      continue;
    }
    const terminated = session.own ? false : await terminateBackend(client, session);
    ended.push({ ...session, terminated });
  }
  return ended;
}
