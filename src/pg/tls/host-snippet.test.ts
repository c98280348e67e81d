import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { leafPaths, pkiLayout } from "../../pki/pki-layout.js";
import { hostSnippet } from "./host-snippet.js";

const root = mkdtempSync(join(tmpdir(), "pgwarden-host-snippet-"));
after(() => rmSync(root, { recursive: true, force: true }));
const layout = pkiLayout(root);

/** Files that only need to exist: the snippet names them, it does not read them. */
function touch(...paths: string[]): void {
  for (const path of paths) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "x");
  }
}
touch(layout.caCert);
for (const [group, host] of [
  ["server", "db1"],
  ["peer", "etcd-1"],
  ["client", "dbuser_pgb"],
] as const) {
  const paths = leafPaths(layout, group, host);
  touch(paths.cert, paths.key);
}

test("pgbouncer's certificate comes from server/, patroni's and etcd's from peer/, unless --group says otherwise", async () => {
  const warnings: string[] = [];
  const pgbouncer = await hostSnippet(layout, { target: "pgbouncer", host: "db1", clientCn: "dbuser_pgb" }, (w) =>
    warnings.push(w),
  );
  assert.match(pgbouncer.text, new RegExp(leafPaths(layout, "server", "db1").cert.replace(/[.]/g, "\\.")));
  const etcd = await hostSnippet(layout, { target: "etcd", host: "etcd-1" }, (w) => warnings.push(w));
  assert.match(etcd.text, new RegExp(leafPaths(layout, "peer", "etcd-1").cert.replace(/[.]/g, "\\.")));
  const regrouped = await hostSnippet(layout, { target: "etcd", host: "db1", group: "server" }, (w) =>
    warnings.push(w),
  );
  assert.match(regrouped.text, /server/);
  assert.deepEqual(warnings, []);
});

test("pgbouncer without --client-cn is warned that rules demanding cert refuse it; patroni without one is not", async () => {
  const warnings: string[] = [];
  await hostSnippet(layout, { target: "pgbouncer", host: "db1" }, (w) => warnings.push(w));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? "", /^no server_tls_cert_file: .*--client-cn ROLE/);
  await hostSnippet(layout, { target: "patroni", host: "etcd-1" }, (w) => warnings.push(w));
  assert.equal(warnings.length, 1);
});

test("a certificate the snippet would name but the PKI lacks is not found (exit 4), with the cert issue flags that make it", async () => {
  const missing = leafPaths(layout, "peer", "db1").cert;
  await assert.rejects(
    hostSnippet(layout, { target: "patroni", host: "db1" }, () => undefined),
    (error: unknown) =>
      error instanceof PgwardenError &&
      error.exitCode === 4 &&
      error.message ===
        `${missing} not found: issue it first with pgwarden cert issue --profile peer --cn db1 --group peer --san db1`,
  );
  await assert.rejects(
    hostSnippet(layout, { target: "pgbouncer", host: "db1", clientCn: "nobody" }, () => undefined),
    (error: unknown) =>
      error instanceof PgwardenError &&
      error.exitCode === 4 &&
      /nobody\.crt not found: issue it first with pgwarden cert issue --profile client --cn nobody --group client$/.test(
        error.message,
      ),
  );
});
