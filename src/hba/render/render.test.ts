import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { parseInventory } from "../../config/load-inventory.js";
import { ExitCode, PgwardenError } from "../../core/errors.js";
import { type RenderedHba, renderHba, type RenderOptions } from "./render.js";

interface Fixture {
  /** pg_hba_rules (YAML, line 13 of the file). */
  readonly pg?: string;
  /** pgb_hba_rules (YAML, line 14). */
  readonly pgb?: string;
  /** More cluster vars, one per line. */
  readonly vars?: string;
  readonly globals?: string;
}

/**
 * An inventory with one cluster `pg-x` (10.0.0.1 primary, 10.0.0.2 replica, 10.0.0.3 offline
 * replica) and an infra group. Default rules are turned off so each test sees only its own rules.
 */
function inventory({ pg = "[]", pgb = "[]", vars = "", globals = "admin_ip: 10.0.0.9" }: Fixture) {
  return parseInventory(
    `all:
  children:
    infra:
      hosts: { 10.0.0.9: {}, 10.0.0.10: {}, 10.0.0.1: {} }
    pg-x:
      hosts:
        10.0.0.1: { pg_seq: 1, pg_role: primary }
        10.0.0.2: { pg_seq: 2, pg_role: replica }
        10.0.0.3: { pg_seq: 3, pg_role: replica, pg_offline_query: true }
      vars:
        pg_cluster: pg-x
        pg_default_hba_rules: []
        pg_hba_rules: ${pg}
        pgb_hba_rules: ${pgb}
        pgb_default_hba_rules: []
${vars
  .split("\n")
  .filter(Boolean)
  .map((line) => `        ${line}`)
  .join("\n")}
  vars:
    ${globals}
`,
    "pigsty.yml",
  );
}

/** Renders `rules` for the target given (pg_hba_rules or pgb_hba_rules), on pg-x-1 unless told. */
function render(rules: string, options: Partial<RenderOptions> = {}, vars = "", globals?: string): RenderedHba {
  const target = options.target ?? "pg";
  const fixture = target === "pg" ? { pg: rules, vars, globals } : { pgb: rules, vars, globals };
  return renderHba(inventory(fixture), "pg-x", { instance: "pg-x-1", target, ...options });
}

/** Rule lines with whitespace collapsed; inactive ones keep their `#`. */
function lines(rendered: RenderedHba): string[] {
  return rendered.rules.map((rule) => `${rule.active ? "" : "#"}${rule.line}`.replace(/\s+/g, " "));
}

function throwsConfig(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof PgwardenError, `a PgwardenError, got ${String(error)}`);
    assert.equal(error.exitCode, ExitCode.config);
    assert.match(error.message, pattern);
    assert.equal(error.message.includes("\n"), false, "one line");
    return true;
  });
}

describe("user aliases", () => {
  test("each placeholder becomes the system user's name, defaults or the inventory's", () => {
    const rules =
      "[{user: '${dbsu}', addr: local, auth: peer}, {user: '${repl}', addr: local, auth: peer}, {user: '${monitor}', addr: local, auth: peer}, {user: '${admin}', addr: local, auth: peer}, {addr: local, auth: peer}]";
    assert.deepEqual(
      lines(render(rules)).map((line) => line.split(" ")[2]),
      ["postgres", "replicator", "dbuser_monitor", "dbuser_dba", "all"],
    );
    const renamed = render(
      rules,
      {},
      "pg_dbsu: pgsu\npg_replication_username: repl\npg_monitor_username: mon\npg_admin_username: dba",
    );
    assert.deepEqual(
      lines(renamed).map((line) => line.split(" ")[2]),
      ["pgsu", "repl", "mon", "dba", "all"],
    );
  });

  test("a placeholder is the whole value; a typo in one is an error naming the rule", () => {
    throwsConfig(
      () => inventory({ pg: "[{user: '${dba}', addr: local, title: typo}]" }),
      /^pigsty\.yml:\d+: all\.children\.pg-x\.vars\.pg_hba_rules\[0\]\.user: unknown user placeholder in "\$\{dba\}"/,
    );
    throwsConfig(
      () => inventory({ pg: "[{user: '${dbsu},app', addr: local}]" }),
      /pg_hba_rules\[0\]\.user: unknown user placeholder/,
    );
    assert.deepEqual(lines(render("[{user: '+dbrole_readonly,app', addr: local, auth: peer}]")), [
      "local all +dbrole_readonly,app peer",
    ]);
  });
});

describe("address aliases", () => {
  const expand = (addr: string, extra = "", globals?: string) =>
    lines(render(`[{addr: '${addr}', auth: pwd}]`, {}, extra, globals)).map((line) =>
      line.split(" ").slice(0, 4).join(" "),
    );

  test("local is one socket line; localhost adds 127.0.0.1/32 and ::1/128 host lines", () => {
    assert.deepEqual(expand("local"), ["local all all scram-sha-256"]);
    assert.deepEqual(expand("localhost"), [
      "local all all scram-sha-256",
      "host all all 127.0.0.1/32",
      "host all all ::1/128",
    ]);
  });

  test("admin is admin_ip/32, and needs admin_ip", () => {
    assert.deepEqual(expand("admin"), ["host all all 10.0.0.9/32"]);
    throwsConfig(
      () => render("[{addr: admin, title: ops}]", {}, "", "region: default"),
      /^pigsty\.yml:\d+: pg_hba_rules\[0\] \("ops"\): addr admin needs admin_ip in the inventory$/,
    );
  });

  test("infra is every infra host sorted as strings; cluster is the members sorted as strings", () => {
    assert.deepEqual(expand("infra"), [
      "host all all 10.0.0.1/32",
      "host all all 10.0.0.10/32",
      "host all all 10.0.0.9/32",
    ]);
    assert.deepEqual(expand("cluster"), [
      "host all all 10.0.0.1/32",
      "host all all 10.0.0.2/32",
      "host all all 10.0.0.3/32",
    ]);
  });

  test("intra and intranet are node_firewall_intranet, Pigsty's three private ranges in its defaults' order", () => {
    // roles/pgsql/defaults/main.yml lists 192.168/16 before 172.16/12 (the template's own fallback does not).
    const privateRanges = ["host all all 10.0.0.0/8", "host all all 192.168.0.0/16", "host all all 172.16.0.0/12"];
    assert.deepEqual(expand("intra"), privateRanges);
    assert.deepEqual(expand("intranet"), privateRanges);
    assert.deepEqual(expand("intra", "node_firewall_intranet: [10.10.0.0/16, 'fd00::/8']"), [
      "host all all 10.10.0.0/16",
      "host all all fd00::/8",
    ]);
  });

  test("world and all are 0.0.0.0/0 and ::/0", () => {
    assert.deepEqual(expand("world"), ["host all all 0.0.0.0/0", "host all all ::/0"]);
    assert.deepEqual(expand("all"), ["host all all 0.0.0.0/0", "host all all ::/0"]);
  });

  test("literal CIDRs are written as given; bare addresses get a host prefix; IPv6 and samehost/samenet pass", () => {
    assert.deepEqual(expand("10.1.2.0/24"), ["host all all 10.1.2.0/24"]);
    assert.deepEqual(expand("10.1.2.3"), ["host all all 10.1.2.3/32"]);
    assert.deepEqual(expand("fd00:1::/64"), ["host all all fd00:1::/64"]);
    assert.deepEqual(expand("fd00:1::5"), ["host all all fd00:1::5/128"]);
    assert.deepEqual(expand("samehost"), ["host all all samehost"]);
    assert.deepEqual(expand("samenet"), ["host all all samenet"]);
  });

  test("anything else is an error at the line of the rule", () => {
    for (const bad of ["intranet2", "999.1.1.1/8", "10.0.0.0/33", "db.example.com", "10.0.0.0/8/1"]) {
      throwsConfig(
        () => inventory({ pg: `[{addr: '${bad}'}]` }),
        new RegExp(
          `^pigsty\\.yml:13: all\\.children\\.pg-x\\.vars\\.pg_hba_rules\\[0\\]\\.addr: invalid addr "${bad.replace(/\./g, "\\.")}"`,
        ),
      );
    }
  });
});

describe("auth aliases", () => {
  const auth = (alias: string, target: "pg" | "pgbouncer" = "pg", vars = "") => {
    const [line = ""] = lines(render(`[{addr: 10.1.0.0/16, auth: '${alias}'}]`, { target }, vars));
    const [type, , , , method, ...options] = line.split(" ");
    return [type, method, ...options].join(" ");
  };

  test("Pigsty's aliases map to its methods, and ssl, ssl-*, cert make the rule hostssl", () => {
    const expected: Record<string, string> = {
      deny: "host reject",
      pwd: "host scram-sha-256",
      ssl: "hostssl scram-sha-256",
      sha: "host scram-sha-256",
      cert: "hostssl cert",
      "ssl-md5": "hostssl md5",
      "ssl-sha": "hostssl scram-sha-256",
      md5: "host md5",
      os: "host ident",
      ident: "host ident",
      trust: "host trust",
      reject: "host reject",
      "scram-sha-256": "host scram-sha-256",
    };
    for (const [alias, result] of Object.entries(expected)) assert.equal(auth(alias), result, alias);
  });

  test("pwd and ssl follow pg_pwd_enc; sha and ssl-sha stay scram; no auth means pwd without TLS", () => {
    assert.equal(auth("pwd", "pg", "pg_pwd_enc: md5"), "host md5");
    assert.equal(auth("ssl", "pg", "pg_pwd_enc: md5"), "hostssl md5");
    assert.equal(auth("sha", "pg", "pg_pwd_enc: md5"), "host scram-sha-256");
    assert.equal(auth("ssl-sha", "pg", "pg_pwd_enc: md5"), "hostssl scram-sha-256");
    assert.deepEqual(lines(render("[{addr: 10.1.0.0/16}]", {}, "pg_pwd_enc: md5")), ["host all all 10.1.0.0/16 md5"]);
    assert.deepEqual(lines(render("[{addr: 10.1.0.0/16, auth: ''}]")), ["host all all 10.1.0.0/16 scram-sha-256"]);
  });

  test("for pgbouncer os and ident become peer, which only the socket can do", () => {
    const onSocket = (alias: string, target: "pg" | "pgbouncer") =>
      lines(render(`[{addr: local, auth: '${alias}'}]`, { target }));
    assert.deepEqual(onSocket("os", "pgbouncer"), ["local all all peer"]);
    assert.deepEqual(onSocket("ident", "pgbouncer"), ["local all all peer"]);
    assert.deepEqual(onSocket("peer", "pg"), ["local all all peer"]);
    assert.equal(auth("ssl", "pgbouncer"), "hostssl scram-sha-256");
  });

  test("pgwarden's own: nossl-* on hostnossl, *+cert with clientcert=verify-full", () => {
    assert.equal(auth("nossl-pwd"), "hostnossl scram-sha-256");
    assert.equal(auth("nossl-sha", "pg", "pg_pwd_enc: md5"), "hostnossl scram-sha-256");
    assert.equal(auth("nossl-md5"), "hostnossl md5");
    assert.equal(auth("nossl-deny"), "hostnossl reject");
    assert.equal(auth("nossl-deny", "pgbouncer"), "hostnossl reject");
    assert.equal(auth("ssl+cert"), "hostssl scram-sha-256 clientcert=verify-full");
    assert.equal(auth("ssl-sha+cert"), "hostssl scram-sha-256 clientcert=verify-full");
    assert.equal(auth("ssl-md5+cert"), "hostssl md5 clientcert=verify-full");
    const [rule] = render("[{addr: 10.1.0.0/16, auth: 'ssl+cert'}]").rules;
    assert.deepEqual(rule?.rule?.options, { clientcert: "verify-full" });
  });

  test("an unknown auth, cert on a socket, peer on TCP, and clientcert for pgbouncer are errors", () => {
    throwsConfig(
      () => inventory({ pg: "[{addr: world, auth: ldap}]" }),
      /pg_hba_rules\[0\]\.auth: unsupported auth "ldap": use one of deny, pwd, ssl/,
    );
    throwsConfig(
      () => inventory({ pg: "[{addr: local, auth: cert}]" }),
      /pg_hba_rules\[0\]\.auth: auth cert needs a TCP address, and addr local renders as Unix socket/,
    );
    throwsConfig(
      () => inventory({ pg: "[{addr: localhost, auth: 'ssl+cert'}]" }),
      /auth ssl\+cert needs a TCP address/,
    );
    throwsConfig(
      () => inventory({ pgb: "[{addr: world, auth: 'ssl+cert'}]" }),
      /pgb_hba_rules\[0\]\.auth: pgbouncer takes no options such as clientcert/,
    );
    // A host line with peer is a file PostgreSQL (and pgbouncer) refuse at reload: refused here, before it is written.
    throwsConfig(
      () => inventory({ pg: "[{addr: world, auth: peer}]" }),
      /pg_hba_rules\[0\]\.auth: auth peer means peer, which works only over the Unix socket, and addr world renders TCP lines/,
    );
    throwsConfig(() => inventory({ pg: "[{addr: localhost, auth: peer}]" }), /addr localhost renders TCP lines/);
    throwsConfig(
      () => inventory({ pgb: "[{addr: intra, auth: os}]" }),
      /pgb_hba_rules\[0\]\.auth: auth os means peer for pgbouncer, which works only over the Unix socket/,
    );
  });

  test("ssl on localhost renders plain local and host lines as Pigsty does, with a warning", () => {
    const rendered = render("[{addr: localhost, auth: ssl, title: loop}]");
    assert.deepEqual(
      lines(rendered).map((line) => line.split(" ")[0]),
      ["local", "host", "host"],
    );
    assert.match(
      rendered.warnings[0] ?? "",
      /^pigsty\.yml:13: pg_hba_rules\[0\] \("loop"\): auth ssl asks for TLS, but addr localhost is rendered as local and host lines without it/,
    );
  });
});

describe("role gating", () => {
  const rules = "[{addr: local, auth: peer, title: t, role: ROLE}]";
  const activeOn = (role: string) =>
    ["pg-x-1", "pg-x-2", "pg-x-3"].filter((instance) =>
      render(rules.replace("ROLE", role), { instance }).rules.every((rule) => rule.active),
    );

  test("default, common, or empty apply everywhere; a role applies where pg_role matches; offline also where pg_offline_query", () => {
    assert.deepEqual(activeOn("default"), ["pg-x-1", "pg-x-2", "pg-x-3"]);
    assert.deepEqual(activeOn("common"), ["pg-x-1", "pg-x-2", "pg-x-3"]);
    assert.deepEqual(activeOn("''"), ["pg-x-1", "pg-x-2", "pg-x-3"]);
    assert.deepEqual(activeOn("primary"), ["pg-x-1"]);
    assert.deepEqual(activeOn("replica"), ["pg-x-2", "pg-x-3"]);
    assert.deepEqual(activeOn("offline"), ["pg-x-3"]);
    assert.deepEqual(activeOn("standby"), []);
    assert.deepEqual(activeOn("delayed"), []);
  });

  test("an inactive rule is written commented out under a [DISABLED] title", () => {
    const rendered = render(
      "[{addr: 10.1.0.0/16, role: replica, title: readers}, {role: replica, rules: ['host all all 10.2.0.0/16 trust']}]",
    );
    assert.ok(rendered.text.includes("# readers [replica] [DISABLED]\n#host     all"));
    assert.ok(rendered.text.includes("#  [replica] [DISABLED]\n#host all all 10.2.0.0/16 trust\n"));
    assert.deepEqual(
      rendered.rules.map((rule) => rule.active),
      [false, false],
    );
  });

  test("a cluster render (no instance, several members) keeps only the rules for every role", () => {
    const rendered = renderHba(
      inventory({ pg: "[{addr: local, auth: peer, role: primary}, {addr: local, auth: trust, role: common}]" }),
      "pg-x",
      { target: "pg" },
    );
    assert.equal(rendered.instance, undefined);
    assert.deepEqual(lines(rendered), ["#local all all peer", "local all all trust"]);
  });

  test("an unknown role is an error", () => {
    throwsConfig(
      () => inventory({ pg: "[{addr: local, role: master}]" }),
      /pg_hba_rules\[0\]\.role: invalid hba role "master": use one of default, common, primary/,
    );
  });
});

describe("order", () => {
  test("ascending, stable for equal orders, 1000 when unset, defaults interleaved", () => {
    const rendered = render(
      "[{addr: 10.0.0.1/32, title: a}, {addr: 10.0.0.2/32, order: 1001, title: b}, {addr: 10.0.0.3/32, order: 999, title: c}, {addr: 10.0.0.4/32, title: d}, {addr: 10.0.0.5/32, order: -5, title: e}, {addr: 10.0.0.6/32, order: 120, title: f}]",
      {},
      "pg_default_hba_rules: [{addr: 10.9.0.1/32, order: 100, title: d100}, {addr: 10.9.0.2/32, order: 150, title: d150}, {addr: 10.9.0.3/32, title: dnone}]",
    );
    assert.deepEqual(
      rendered.rules.map((rule) => `${rule.title}:${rule.order}`),
      ["e:-5", "d100:100", "f:120", "d150:150", "c:999", "dnone:1000", "a:1000", "d:1000", "b:1001"],
    );
  });

  test("order must be an integer", () => {
    throwsConfig(
      () => inventory({ pg: "[{addr: local, order: first}]" }),
      /pg_hba_rules\[0\]\.order: expected a number, got string "first"/,
    );
    throwsConfig(() => inventory({ pg: "[{addr: local, order: 1.5}]" }), /pg_hba_rules\[0\]\.order: /);
  });
});

describe("raw rules and the rest of Pigsty's aborts", () => {
  test("raw lines are written as given and win over addr", () => {
    const rendered = render(
      "[{addr: world, rules: ['hostssl app app 10.0.0.0/8 cert map=corp', 'local all all peer'], title: raw}]",
    );
    assert.deepEqual(lines(rendered), ["hostssl app app 10.0.0.0/8 cert map=corp", "local all all peer"]);
    assert.equal(rendered.rules[0]?.rule, undefined);
  });

  test("a rule with neither addr nor rules is an error", () => {
    throwsConfig(
      () => inventory({ pg: "[{user: app, title: lost}]" }),
      /pg_hba_rules\[0\]: no addr or rules: give addr/,
    );
    throwsConfig(() => inventory({ pg: "[{addr: '', rules: []}]" }), /no addr or rules/);
  });

  test("pgbouncer refuses db replication, samehost and samenet", () => {
    throwsConfig(
      () => inventory({ pgb: "[{addr: world, db: replication}]" }),
      /^pigsty\.yml:14: all\.children\.pg-x\.vars\.pgb_hba_rules\[0\]\.db: db replication is not allowed in pgbouncer/,
    );
    throwsConfig(
      () => inventory({ pgb: "[{addr: samenet}]" }),
      /pgb_hba_rules\[0\]\.addr: pgbouncer does not support addr samenet/,
    );
  });

  test("text that would change the file's meaning is refused: line breaks, a trailing backslash, unquoted spaces", () => {
    // Each of these, written as Pigsty writes it, would add an active rule or swallow one.
    throwsConfig(
      () => inventory({ pg: '[{addr: local, role: replica, title: "x\\nhost all all 0.0.0.0/0 trust"}]' }),
      /pg_hba_rules\[0\]\.title: title must be one line/,
    );
    throwsConfig(
      () => inventory({ pg: '[{addr: local, role: replica, user: "app\\nhost all all 0.0.0.0/0 trust"}]' }),
      /pg_hba_rules\[0\]\.user: user must be one line/,
    );
    throwsConfig(
      () =>
        inventory({ pg: '[{role: replica, rules: ["host all all 10.0.0.0/8 md5\\nhost all all 0.0.0.0/0 trust"]}]' }),
      /pg_hba_rules\[0\]\.rules: each raw rule must be one line/,
    );
    throwsConfig(
      () => inventory({ pg: "[{addr: local, title: 'ends with \\'}]" }),
      /pg_hba_rules\[0\]\.title: a title ending in a backslash/,
    );
    throwsConfig(
      () => inventory({ pg: "[{addr: local, db: 'app db'}]" }),
      /pg_hba_rules\[0\]\.db: db "app db" has a space or # outside double quotes/,
    );
    throwsConfig(
      () => inventory({ pg: "[{addr: local, user: 'app#x'}]" }),
      /pg_hba_rules\[0\]\.user: user "app#x" has a space or #/,
    );
    assert.deepEqual(lines(render(`[{addr: local, auth: peer, db: '"app db"'}]`)), ['local "app db" all peer']);
  });

  test("pgbouncer +group users render, with a warning", () => {
    const rendered = render("[{user: '+dbrole_readwrite', addr: intra}]", { target: "pgbouncer" });
    assert.equal(rendered.rules.length, 3);
    assert.match(rendered.warnings[0] ?? "", /pgbouncer does not support \+group users/);
  });

  test("an unknown cluster or instance is not-found (exit 4)", () => {
    const inv = inventory({});
    assert.throws(
      () => renderHba(inv, "pg-y", { target: "pg" }),
      (error: PgwardenError) =>
        error.exitCode === ExitCode.notFound &&
        /no cluster "pg-y" in pigsty\.yml: clusters are pg-x/.test(error.message),
    );
    assert.throws(
      () => renderHba(inv, "pg-x", { instance: "10.0.0.7", target: "pg" }),
      (error: PgwardenError) =>
        error.exitCode === ExitCode.notFound &&
        /no instance "10\.0\.0\.7" in cluster pg-x: its members are 10\.0\.0\.1 \(pg-x-1\), 10\.0\.0\.2 \(pg-x-2\)/.test(
          error.message,
        ),
    );
  });

  test("rules given by hand to the renderer are checked too", () => {
    const inv = inventory({});
    const members = inv.groups.get("pg-x");
    assert.ok(members);
    const handMade = {
      ...inv,
      groups: new Map([
        ...inv.groups,
        ["pg-x", { ...members, vars: { ...members.vars, pg_hba_rules: [{ addr: "world", auth: "kerberos" }] } }],
      ]),
    };
    throwsConfig(
      () => renderHba(handMade, "pg-x", { instance: "pg-x-1", target: "pg" }),
      /^pg_hba_rules\[0\]: unsupported auth "kerberos"/,
    );
  });
});

describe("the rendered result", () => {
  test("alias rules carry the shared model, with the inventory line they came from", () => {
    const rendered = render("[{user: 'app,\"all\"', db: 'app,reports', addr: 10.1.0.0/16, auth: ssl, title: app}]");
    const [first] = rendered.rules;
    assert.deepEqual(first?.rule, {
      type: "hostssl",
      databases: [
        { value: "app", quoted: false },
        { value: "reports", quoted: false },
      ],
      users: [
        { value: "app", quoted: false },
        { value: "all", quoted: true },
      ],
      address: "10.1.0.0/16",
      method: "scram-sha-256",
      options: {},
      source: { file: "pigsty.yml", line: 13 },
      text: 'hostssl  app,reports        app,"all"          10.1.0.0/16        scram-sha-256',
    });
    assert.equal(first?.source?.line, 13);
  });

  test("fileLine points at the rule's line in the text, which is deterministic", () => {
    const rendered = render("[{addr: intra, role: replica}, {rules: ['local all all peer']}]");
    const fileLines = rendered.text.split("\n");
    for (const rule of rendered.rules)
      assert.equal(fileLines[rule.fileLine - 1], `${rule.active ? "" : "#"}${rule.line}`);
    assert.equal(render("[{addr: intra, role: replica}, {rules: ['local all all peer']}]").text, rendered.text);
    assert.match(
      rendered.text,
      /^#=+#\n# File      :   pg_hba\.conf\n# Desc      :   Postgres HBA Rules for pg-x-1 \[primary\]\n/,
    );
  });

  test("inventory text in the header cannot start a line of its own", () => {
    // pg_localhost is a key pgwarden does not validate, and the header shows it.
    const inv = parseInventory(
      'all:\n  children:\n    solo:\n      hosts: { 10.0.0.1: { pg_seq: 1, pg_role: primary } }\n      vars: { pg_cluster: solo, pg_localhost: "/tmp\\nhost all all 0.0.0.0/0 trust" }\n',
      "solo.yml",
    );
    const { text } = renderHba(inv, "solo", { target: "pg" });
    assert.ok(text.includes("# local     : /tmp?host all all 0.0.0.0/0 trust\n"));
    assert.ok(!text.split("\n").includes("host all all 0.0.0.0/0 trust"));
  });

  test("a cluster with one member renders for that member without naming it", () => {
    const inv = parseInventory(
      "all:\n  children:\n    solo:\n      hosts: { 10.0.0.1: { pg_seq: 1, pg_role: primary } }\n      vars: { pg_cluster: solo }\n",
      "solo.yml",
    );
    const rendered = renderHba(inv, "solo", { target: "pgbouncer" });
    assert.deepEqual(rendered.instance, { host: "10.0.0.1", name: "solo-1" });
    assert.equal(rendered.rules.length, 17, "Pigsty's seven default pgbouncer rules expand to 17 lines");
  });
});

test("a target other than pg or pgbouncer is a usage error naming the targets (bad-target, exit 2)", () => {
  for (const target of ["mysql", "", "PG", "toString", "__proto__"]) {
    assert.throws(
      () => render("[]", { target: target as RenderOptions["target"] }),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.code === "bad-target" &&
        error.exitCode === ExitCode.usage &&
        error.message === `target must be one of pg, pgbouncer, not ${JSON.stringify(target)}`,
      target,
    );
  }
  assert.equal(render("[]", { target: "pgbouncer" }).target, "pgbouncer");
  assert.equal(render("[]", { target: "pg" }).target, "pg");
});
