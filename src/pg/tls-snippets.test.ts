import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

import { PgwardenError } from "../core/errors.js";
import { renderTlsSnippet, SNIPPET_TARGETS, type SnippetFiles, type SnippetTarget } from "./tls-snippets.js";

const FILES: SnippetFiles = {
  caCert: "/etc/pgwarden/ca.crt",
  cert: "/etc/pgwarden/node.crt",
  key: "/etc/pgwarden/node.key",
};
const WITH_CLIENT: SnippetFiles = {
  ...FILES,
  clientCert: "/etc/pgwarden/client.crt",
  clientKey: "/etc/pgwarden/client.key",
};
/** Paths a naive renderer breaks: spaces, both quotes, `#`, `;`, `: `, a leading `-` segment, `$`, `\`, non-ASCII. */
const AWKWARD: SnippetFiles = {
  caCert: "/srv/my pki/ca #1.crt",
  cert: '/srv/it\'s "here"/node;1.crt',
  key: "/srv/a: b/- $HOME\\node.key",
  clientCert: "/srv/ünïcode/true",
  clientKey: "/srv/x/`id`.key",
};

function refuses(target: SnippetTarget, host: string, files: SnippetFiles, code: string, pattern: RegExp): void {
  assert.throws(
    () => renderTlsSnippet(target, host, files),
    (error: unknown) =>
      error instanceof PgwardenError && error.exitCode === 2 && error.code === code && pattern.test(error.message),
    `expected ${target} ${JSON.stringify(host)} to be refused with ${code} ${pattern}`,
  );
}

/** pgbouncer's own INI rule (libusual parse_ini_file): skip `;`/`#` lines, value = rest of line, trimmed. */
function parsePgbouncerIni(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split("\n")) {
    const trimmed = line.trimStart();
    if (trimmed === "" || trimmed.startsWith(";") || trimmed.startsWith("#")) continue;
    const match = /^([A-Za-z0-9_.*-]+)[ \t]*=[ \t]*(.*)$/.exec(trimmed);
    assert.ok(
      match?.[1] !== undefined && match[2] !== undefined,
      `not a pgbouncer.ini setting: ${JSON.stringify(line)}`,
    );
    settings.set(match[1], match[2].trimEnd());
  }
  return settings;
}

const PYYAML_AVAILABLE = spawnSync("python3", ["-c", "import yaml"], { stdio: "ignore" }).status === 0;

/** The document as PyYAML (the parser Patroni uses) reads it, as JSON. */
function loadWithPyYaml(text: string): unknown {
  const r = spawnSync(
    "python3",
    ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin.read()), sys.stdout)"],
    { input: text, encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The argv a POSIX shell hands to `etcd` when it runs the snippet. */
function shellArguments(text: string): string[] {
  const r = spawnSync("sh", ["-c", `etcd() { printf '%s\\0' "$@"; }\n${text}`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\0").slice(0, -1);
}

test("the targets are pgbouncer, patroni and etcd", () => {
  assert.deepEqual(SNIPPET_TARGETS, ["pgbouncer", "patroni", "etcd"]);
});

test("pgbouncer: client and server legs verify-full, TLS 1.2+, server certificate only with a client certificate", () => {
  assert.equal(
    renderTlsSnippet("pgbouncer", "pg-1.example.com", WITH_CLIENT),
    [
      "; pgbouncer.ini TLS for pg-1.example.com: paste into the [pgbouncer] section (a second [pgbouncer] header resets earlier settings)",
      "; clients must present a certificate from the CA; PostgreSQL's certificate must name each [databases] host=",
      "client_tls_sslmode = verify-full",
      "client_tls_key_file = /etc/pgwarden/node.key",
      "client_tls_cert_file = /etc/pgwarden/node.crt",
      "client_tls_ca_file = /etc/pgwarden/ca.crt",
      "client_tls_protocols = secure",
      "server_tls_sslmode = verify-full",
      "server_tls_ca_file = /etc/pgwarden/ca.crt",
      "server_tls_cert_file = /etc/pgwarden/client.crt",
      "server_tls_key_file = /etc/pgwarden/client.key",
      "server_tls_protocols = secure",
      "",
    ].join("\n"),
  );
  const settings = parsePgbouncerIni(renderTlsSnippet("pgbouncer", "10.0.0.5", FILES));
  assert.deepEqual(
    [...settings.keys()],
    [
      "client_tls_sslmode",
      "client_tls_key_file",
      "client_tls_cert_file",
      "client_tls_ca_file",
      "client_tls_protocols",
      "server_tls_sslmode",
      "server_tls_ca_file",
      "server_tls_protocols",
    ],
  );
});

test("pgbouncer: values are written bare and read back whole, since pgbouncer.ini takes them to the end of the line", () => {
  const text = renderTlsSnippet("pgbouncer", "localhost", AWKWARD);
  assert.match(text, /^client_tls_cert_file = \/srv\/it's "here"\/node;1\.crt$/m);
  const settings = parsePgbouncerIni(text);
  assert.equal(settings.get("client_tls_ca_file"), AWKWARD.caCert);
  assert.equal(settings.get("client_tls_cert_file"), AWKWARD.cert);
  assert.equal(settings.get("client_tls_key_file"), AWKWARD.key);
  assert.equal(settings.get("server_tls_cert_file"), AWKWARD.clientCert);
  assert.equal(settings.get("server_tls_key_file"), AWKWARD.clientKey);
  // pgbouncer strips white space at the end of a value: such a path cannot be written.
  refuses("pgbouncer", "localhost", { ...FILES, key: "/etc/pgwarden/node.key " }, "bad-path", /ends in white space/);
});

test("patroni: restapi with verify_client required, ctl verifying the server; plain paths stay plain", () => {
  assert.equal(
    renderTlsSnippet("patroni", "pg-1.example.com", FILES),
    [
      "# patroni.yml REST API TLS for pg-1.example.com: merge into the restapi: and ctl: sections (keep restapi.authentication)",
      "restapi:",
      "  listen: pg-1.example.com:8008",
      "  connect_address: pg-1.example.com:8008",
      "  certfile: /etc/pgwarden/node.crt",
      "  keyfile: /etc/pgwarden/node.key",
      "  cafile: /etc/pgwarden/ca.crt",
      "  verify_client: required",
      "ctl:",
      "  insecure: false",
      "  certfile: /etc/pgwarden/node.crt",
      "  keyfile: /etc/pgwarden/node.key",
      "  cacert: /etc/pgwarden/ca.crt",
      "",
    ].join("\n"),
  );
  const withClient = renderTlsSnippet("patroni", "10.0.0.5", WITH_CLIENT);
  assert.match(withClient, /^ {2}listen: '10\.0\.0\.5:8008'$/m);
  assert.match(
    withClient,
    /^ctl:\n {2}insecure: false\n {2}certfile: \/etc\/pgwarden\/client\.crt\n {2}keyfile: \/etc\/pgwarden\/client\.key\n/m,
  );
  assert.match(renderTlsSnippet("patroni", "::1", FILES), /^ {2}connect_address: '\[::1\]:8008'$/m);
});

test("patroni: special characters are single-quoted with ' doubled", () => {
  const text = renderTlsSnippet("patroni", "localhost", AWKWARD);
  assert.match(text, /^ {2}certfile: '\/srv\/it''s "here"\/node;1\.crt'$/m);
  assert.match(text, /^ {2}cafile: '\/srv\/my pki\/ca #1\.crt'$/m);
  assert.match(text, /^ {2}keyfile: '\/srv\/a: b\/- \$HOME\\node\.key'$/m);
});

test(
  "patroni: PyYAML, the parser Patroni uses, reads back every key and path exactly",
  { skip: !PYYAML_AVAILABLE && "python3 with PyYAML is not installed" },
  () => {
    for (const [host, files, address] of [
      ["localhost", AWKWARD, "localhost:8008"],
      ["2001:DB8::7", FILES, "[2001:db8::7]:8008"],
      ["192.0.2.10", WITH_CLIENT, "192.0.2.10:8008"],
    ] as const) {
      assert.deepEqual(loadWithPyYaml(renderTlsSnippet("patroni", host, files)), {
        restapi: {
          listen: address,
          connect_address: address,
          certfile: files.cert,
          keyfile: files.key,
          cafile: files.caCert,
          verify_client: "required",
        },
        ctl: {
          insecure: false,
          certfile: files.clientCert ?? files.cert,
          keyfile: files.clientKey ?? files.key,
          cacert: files.caCert,
        },
      });
    }
  },
);

test("etcd: client and peer TLS with certificate authentication on both, listening on the host's address", () => {
  assert.equal(
    renderTlsSnippet("etcd", "10.0.0.11", FILES),
    [
      "# etcd TLS for 10.0.0.11: clients (port 2379) and peers (port 2380) must present a certificate from the CA",
      "etcd \\",
      "  --cert-file=/etc/pgwarden/node.crt \\",
      "  --key-file=/etc/pgwarden/node.key \\",
      "  --trusted-ca-file=/etc/pgwarden/ca.crt \\",
      "  --client-cert-auth \\",
      "  --advertise-client-urls=https://10.0.0.11:2379 \\",
      "  --listen-client-urls=https://10.0.0.11:2379 \\",
      "  --peer-cert-file=/etc/pgwarden/node.crt \\",
      "  --peer-key-file=/etc/pgwarden/node.key \\",
      "  --peer-trusted-ca-file=/etc/pgwarden/ca.crt \\",
      "  --peer-client-cert-auth \\",
      "  --initial-advertise-peer-urls=https://10.0.0.11:2380 \\",
      "  --listen-peer-urls=https://10.0.0.11:2380",
      "",
    ].join("\n"),
  );
});

test("etcd: a DNS name is advertised but etcd binds addresses, so it listens on 0.0.0.0 (localhost on 127.0.0.1)", () => {
  const named = renderTlsSnippet("etcd", "etcd-1.example.com", FILES);
  assert.match(named, /^# etcd binds IP addresses only, so it listens on 0\.0\.0\.0/m);
  assert.match(named, /^ {2}--advertise-client-urls=https:\/\/etcd-1\.example\.com:2379 \\$/m);
  assert.match(named, /^ {2}--listen-client-urls=https:\/\/0\.0\.0\.0:2379 \\$/m);
  assert.match(named, /^ {2}--listen-peer-urls=https:\/\/0\.0\.0\.0:2380$/m);
  const local = renderTlsSnippet("etcd", "localhost", FILES);
  assert.doesNotMatch(local, /0\.0\.0\.0/);
  assert.match(local, /^ {2}--listen-client-urls=https:\/\/127\.0\.0\.1:2379 \\$/m);
  assert.match(
    renderTlsSnippet("etcd", "fd00::11", FILES),
    /^ {2}--advertise-client-urls='https:\/\/\[fd00::11\]:2379' \\$/m,
  );
});

test("etcd: a POSIX shell hands etcd every path exactly, however awkward", () => {
  const files: SnippetFiles = { caCert: AWKWARD.caCert, cert: AWKWARD.cert, key: AWKWARD.key };
  const text = renderTlsSnippet("etcd", "fd00::11", files);
  assert.match(text, /^ {2}--cert-file='\/srv\/it'\\''s "here"\/node;1\.crt' \\$/m);
  assert.deepEqual(shellArguments(text), [
    `--cert-file=${files.cert}`,
    `--key-file=${files.key}`,
    `--trusted-ca-file=${files.caCert}`,
    "--client-cert-auth",
    "--advertise-client-urls=https://[fd00::11]:2379",
    "--listen-client-urls=https://[fd00::11]:2379",
    `--peer-cert-file=${files.cert}`,
    `--peer-key-file=${files.key}`,
    `--peer-trusted-ca-file=${files.caCert}`,
    "--peer-client-cert-auth",
    "--initial-advertise-peer-urls=https://[fd00::11]:2380",
    "--listen-peer-urls=https://[fd00::11]:2380",
  ]);
});

test("etcd takes no separate client certificate: its peer certificate is both", () => {
  refuses("etcd", "10.0.0.11", WITH_CLIENT, "etcd-client-cert", /peer profile/);
});

test("every snippet starts with a comment line naming the host", () => {
  for (const target of SNIPPET_TARGETS) {
    const first = renderTlsSnippet(target, "DB-1.Example.com", FILES).split("\n")[0] ?? "";
    assert.match(first, /^[;#] \S+ .*TLS for db-1\.example\.com: /, `${target}: ${first}`);
  }
});

test("bad input is refused with a usage error for every target", () => {
  for (const target of SNIPPET_TARGETS) {
    refuses(target, "db 1", FILES, "bad-host", /neither a DNS name nor an IP address/);
    refuses(target, "*.example.com", FILES, "bad-host", /neither a DNS name nor an IP address/);
    refuses(
      target,
      "pg-1",
      { ...FILES, cert: "certs/node.crt" },
      "relative-path",
      /certificate path "certs\/node\.crt" is relative/,
    );
    refuses(
      target,
      "pg-1",
      { ...FILES, key: "/etc/pgwarden/node.key\nclient_tls_sslmode = disable" },
      "bad-path",
      /line break or control character/,
    );
    refuses(
      target,
      "pg-1",
      { ...FILES, caCert: "/etc/pgwarden/ca\u2028.crt" },
      "bad-path",
      /line break or control character/,
    );
    refuses(
      target,
      "pg-1",
      { ...FILES, clientCert: "/etc/pgwarden/client.crt" },
      "client-cert-without-key",
      /together/,
    );
    refuses(target, "pg-1", { ...FILES, clientKey: "/etc/pgwarden/client.key" }, "client-cert-without-key", /together/);
  }
  refuses("haproxy" as SnippetTarget, "pg-1", FILES, "bad-snippet-target", /pgbouncer, patroni, etcd/);
});
