import { access } from "node:fs/promises";

import { notFoundError } from "../../core/errors.js";
import { trustedRootsFile } from "../../pki/authority/trust-anchors.js";
import { leafPaths, type PkiLayout } from "../../pki/pki-layout.js";
import { renderTlsSnippet, type SnippetTarget } from "../tls-snippets.js";

/** What `pg tls --print` asks for: the TLS lines of one program on one host whose certificate is in the PKI. */
export interface HostSnippetRequest {
  readonly target: SnippetTarget;
  /** The host's certificate CN. */
  readonly host: string;
  /** Folder of the host's certificate; default server for pgbouncer, peer for patroni and etcd. */
  readonly group?: string;
  /** The client certificate the program presents when it connects out (pgbouncer to PostgreSQL, patronictl to the REST API). */
  readonly clientCn?: string;
  /** Folder of the client certificate; default client. */
  readonly clientGroup?: string;
}

/** The lines for the program's configuration. */
export interface HostSnippet {
  readonly target: SnippetTarget;
  readonly text: string;
}

/** Each of `paths` must exist; the first missing one is not-found (exit 4), saying how to issue it. */
async function requireIssued(paths: readonly string[], issueFlags: string): Promise<void> {
  for (const path of paths) {
    await access(path).catch(() => {
      throw notFoundError("no-certificate", `${path} not found: issue it first with pgwarden cert issue ${issueFlags}`);
    });
  }
}

/**
 * The TLS lines for pgbouncer, Patroni or etcd on a host, naming its certificate, key and the CA
 * in the PKI (each must exist: exit 4 otherwise). A pgbouncer without a client certificate is
 * worth a warning: rules that demand cert refuse it.
 */
export async function hostSnippet(
  layout: PkiLayout,
  request: HostSnippetRequest,
  onWarning: (message: string) => void,
): Promise<HostSnippet> {
  const { target, host } = request;
  const group = request.group ?? (target === "pgbouncer" ? "server" : "peer");
  const paths = leafPaths(layout, group, host);
  await requireIssued(
    [layout.caCert, paths.cert, paths.key],
    `--profile ${group === "peer" ? "peer" : "server"} --cn ${host} --group ${group} --san ${host}`,
  );
  const clientGroup = request.clientGroup ?? "client";
  const client = request.clientCn === undefined ? undefined : leafPaths(layout, clientGroup, request.clientCn);
  if (client)
    await requireIssued([client.cert, client.key], `--profile client --cn ${request.clientCn} --group ${clientGroup}`);
  if (target === "pgbouncer" && !client) {
    onWarning(
      "no server_tls_cert_file: pgbouncer presents no certificate to PostgreSQL, so rules that demand cert (as a sandbox's do) refuse it; give --client-cn ROLE for the role pgbouncer logs in as",
    );
  }
  const files = {
    // During a CA rotation ca/roots.crt (new root and old), so the host trusts servers of either generation.
    caCert: trustedRootsFile(layout),
    cert: paths.cert,
    key: paths.key,
    ...(client ? { clientCert: client.cert, clientKey: client.key } : {}),
  };
  return { target, text: renderTlsSnippet(target, host, files) };
}
