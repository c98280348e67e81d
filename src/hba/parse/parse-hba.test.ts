import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import type { HbaFile, HbaRule } from "../model.js";
import { parseHbaFile, parseHbaText, type ParseOptions } from "./index.js";

/** An in-memory file system: paths to contents; directories are listed from the paths. */
function memoryFiles(files: Record<string, string>): ParseOptions {
  const missing = (path: string) => Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  return {
    readFile: (path) => {
      const text = files[path];
      return text === undefined ? Promise.reject(missing(path)) : Promise.resolve(text);
    },
    readDir: (path) => {
      const prefix = `${path.replace(/\/$/, "")}/`;
      const names = Object.keys(files)
        .filter((file) => file.startsWith(prefix) && !file.slice(prefix.length).includes("/"))
        .map((file) => file.slice(prefix.length));
      if (names.length === 0 && !Object.keys(files).some((file) => file.startsWith(prefix)))
        return Promise.reject(missing(path));
      return Promise.resolve(names);
    },
  };
}

const parse = (text: string, files: Record<string, string> = {}) =>
  parseHbaText(text, "/etc/pg/pg_hba.conf", memoryFiles(files));

/** A rule in one line: type, lists (quoted tokens in quotes), address, method, options. */
const brief = (rule: HbaRule) =>
  [
    rule.type,
    rule.databases.map((token) => (token.quoted ? `"${token.value}"` : token.value)).join(","),
    rule.users.map((token) => (token.quoted ? `"${token.value}"` : token.value)).join(","),
    ...(rule.address === undefined ? [] : [rule.address]),
    rule.method,
    ...Object.entries(rule.options).map(([name, value]) => `${name}=${value}`),
  ].join(" ");

const where = (file: HbaFile) => ({
  rules: file.rules.map((rule) => `${rule.source.file}:${rule.source.line} ${brief(rule)}`),
  errors: file.errors.map((error) => `${error.source.file}:${error.source.line} ${error.message}`),
});

test("a typical file: every connection type, lists, keywords, masks, IPv6, host names, options", async () => {
  const file = await parse(
    [
      "# TYPE  DATABASE        USER            ADDRESS                 METHOD",
      "local   all             postgres                                peer",
      "local   sameuser        all                                     ident map=omicron",
      'host    app,"my db"     alice,+admins   10.0.0.0   255.0.0.0    scram-sha-256',
      "hostssl all             all             ::1/128                 cert clientcert=verify-full",
      "hostnossl all           all             samenet                 reject",
      "host    replication     repl            samehost                scram-sha-256",
      "hostgssenc all          all             .example.com            gss include_realm=0 krb_realm=EXAMPLE.COM",
      "hostnogssenc all        all             db1.example.com         md5",
      "host    /^app_\\d+$/    /_ro$           fd00::/8                password",
      'host    all             all             all                     ldap ldapserver=ldap.example.com "ldapbasedn=dc=example, dc=com"',
      "host    all             all             2001:db8:: ffff:ffff::  trust",
    ].join("\n"),
  );
  assert.deepEqual(file.errors, []);
  assert.deepEqual(file.rules.map(brief), [
    "local all postgres peer",
    "local sameuser all peer map=omicron",
    'host app,"my db" alice,+admins 10.0.0.0/8 scram-sha-256',
    "hostssl all all ::1/128 cert clientcert=verify-full",
    "hostnossl all all samenet reject",
    "host replication repl samehost scram-sha-256",
    "hostgssenc all all .example.com gss include_realm=0 krb_realm=EXAMPLE.COM",
    "hostnogssenc all all db1.example.com md5",
    "host /^app_\\d+$/ /_ro$ fd00::/8 password",
    "host all all all ldap ldapserver=ldap.example.com ldapbasedn=dc=example, dc=com",
    "host all all 2001:db8::/32 trust",
  ]);
  const [first] = file.rules;
  assert.deepEqual(first?.source, { file: "/etc/pg/pg_hba.conf", line: 2 });
  assert.equal(first?.text, "local   all             postgres                                peer");
  assert.equal(first?.address, undefined, "local has no address");
});

test("ident on the unix socket is read as peer, as PostgreSQL does", async () => {
  const file = await parse("local all all ident");
  assert.equal(file.rules[0]?.method, "peer");
});

test("quoted keywords stay names: quoted flag kept, +group and /regex kept as written", async () => {
  const file = await parse('host "all","sameuser",+ops,"+ops" all,"/x" 10.0.0.0/8 md5');
  const [rule] = file.rules;
  assert.deepEqual(rule?.databases, [
    { value: "all", quoted: true },
    { value: "sameuser", quoted: true },
    { value: "+ops", quoted: false },
    { value: "+ops", quoted: true },
  ]);
  assert.deepEqual(rule?.users, [
    { value: "all", quoted: false },
    { value: "/x", quoted: true },
  ]);
});

test("old inet_aton shorthands are read as PostgreSQL reads them", async () => {
  const file = await parse("host all all 10.1 255.0.0.0 md5\nhost all all 127.1/32 trust");
  assert.deepEqual(
    file.rules.map((rule) => rule.address),
    ["10.0.0.1/8", "127.0.0.1/32"],
  );
});

test("a continued rule has the line of its first line; the text has the lines joined", async () => {
  const file = await parse("local all all peer\nhost all \\\n     all 10.0.0.0/8 \\\n     md5\nlocal all all trust\n");
  assert.deepEqual(
    file.rules.map((rule) => [rule.source.line, rule.method]),
    [
      [1, "peer"],
      [2, "md5"],
      [5, "trust"],
    ],
  );
  assert.equal(file.rules[1]?.text, "host all      all 10.0.0.0/8      md5");
});

test("every PostgreSQL validation error is reported with its line, and parsing goes on", async () => {
  const file = await parse(
    [
      "local all all peer",
      "hots all all 10.0.0.0/8 md5",
      "host,local all all 10.0.0.0/8 md5",
      "host",
      "host all",
      "host all all",
      "host all all 10.0.0.0/8",
      "host all all 10.0.0.0/33 md5",
      "host all all 10.0.0.0/x md5",
      "host all all 10.0.0.0 md5",
      "host all all 10.0.0.0",
      "host all all 10.0.0.0 255.0.0.0,255.0.0.0 md5",
      "host all all 10.0.0.0 ffff:: md5",
      "host all all 10.0.0.0 255.0.255.0 md5",
      "host all all db.example.com/24 md5",
      "host all all 10.0.0.0/8,::1/128 md5",
      "host all all 10.0.0.0/8 md5,trust",
      "host all all 10.0.0.0/8 kerberos",
      "host all all 10.0.0.0/8 md5 clientcert",
      "host all all 10.0.0.0/8 md5 colour=blue",
      "host all all 10.0.0.0/8 md5 map=x",
      "host all all 10.0.0.0/8 md5 clientcert=verify-full",
      "hostssl all all 10.0.0.0/8 md5 clientcert=yes",
      "hostssl all all 10.0.0.0/8 cert clientcert=verify-ca",
      "host all all 10.0.0.0/8 peer",
      "local all all gss",
      "host all all 10.0.0.0/8 cert",
      "host all all 10.0.0.0/8 ldap ldapserver=x",
      "host all all 10.0.0.0/8 ldap ldapprefix=cn= ldapbasedn=dc=x",
      "host all all 10.0.0.0/8 radius radiusservers=a",
      "host /( all 10.0.0.0/8 md5",
      "local all all trust",
    ].join("\n"),
  );
  assert.deepEqual(
    file.rules.map((rule) => rule.source.line),
    // Line 14: PostgreSQL takes a mask that is not contiguous as given.
    [1, 14, 32],
  );
  assert.deepEqual(
    file.errors.map((error) => `${error.source.line} ${error.message}`),
    [
      '2 invalid connection type "hots"',
      "3 multiple values specified for connection type",
      "4 end-of-line before database specification",
      "5 end-of-line before role specification",
      "6 end-of-line before IP address specification",
      "7 end-of-line before authentication method",
      '8 invalid CIDR mask in address "10.0.0.0/33"',
      '9 invalid CIDR mask in address "10.0.0.0/x"',
      '10 invalid IP mask "md5": Name or service not known',
      "11 end-of-line before netmask specification",
      "12 multiple values specified for netmask",
      "13 IP address and mask do not match",
      '15 specifying both host name and CIDR mask is invalid: "db.example.com/24"',
      "16 multiple values specified for host address",
      "17 multiple values specified for authentication type",
      '18 invalid authentication method "kerberos" (PostgreSQL knows trust, reject, scram-sha-256, md5, password, gss, sspi, ident, peer, ldap, radius, cert, pam, bsd)',
      "19 authentication option not in name=value format: clientcert",
      '20 unrecognized authentication option name: "colour"',
      '21 authentication option "map" is only valid for authentication methods ident, peer, gssapi, sspi, and cert',
      '22 clientcert can only be configured for "hostssl" rows',
      '23 invalid value for clientcert: "yes"',
      '24 clientcert only accepts "verify-full" when using "cert" authentication',
      "25 peer authentication is only supported on local sockets",
      "26 gssapi authentication is not supported on local sockets",
      "27 cert authentication is only supported on hostssl connections",
      '28 authentication method "ldap" requires argument "ldapbasedn", "ldapprefix", or "ldapsuffix" to be set',
      "29 cannot mix options for simple bind and search+bind modes",
      '30 authentication method "radius" requires argument "radiussecrets" to be set',
      '31 invalid regular expression "(": Invalid regular expression: /(/: Unterminated group',
    ],
  );
});

test("an option named like an Object property is just unknown", async () => {
  const file = await parse("host all all all md5 toString=1\nhost all all all md5 __proto__=1");
  assert.deepEqual(
    file.errors.map((error) => error.message),
    ['unrecognized authentication option name: "toString"', 'unrecognized authentication option name: "__proto__"'],
  );
});

test("include, include_if_exists and include_dir put the included rules in place, relative to the including file", async () => {
  const file = await parse(
    [
      "local all all peer",
      "include common.conf",
      "include_if_exists absent.conf",
      "include_dir conf.d",
      "include /abs/last.conf",
      "host all all all reject",
    ].join("\n"),
    {
      "/etc/pg/common.conf": "# common\nhost all all 10.0.0.0/8 md5\ninclude sub/nested.conf\n",
      "/etc/pg/sub/nested.conf": "host all all 10.1.0.0/16 trust\n",
      "/etc/pg/conf.d/20-b.conf": "host b b 10.0.0.2/32 md5\n",
      "/etc/pg/conf.d/10-a.conf": "host a a 10.0.0.1/32 md5\n",
      "/etc/pg/conf.d/.hidden.conf": "host h h 10.0.0.3/32 md5\n",
      "/etc/pg/conf.d/README": "not a conf file\n",
      "/etc/pg/conf.d/Z-upper.conf": "host z z 10.0.0.4/32 md5\n",
      "/abs/last.conf": "local all all trust\n",
    },
  );
  assert.deepEqual(where(file), {
    rules: [
      "/etc/pg/pg_hba.conf:1 local all all peer",
      "/etc/pg/common.conf:2 host all all 10.0.0.0/8 md5",
      "/etc/pg/sub/nested.conf:1 host all all 10.1.0.0/16 trust",
      "/etc/pg/conf.d/10-a.conf:1 host a a 10.0.0.1/32 md5",
      "/etc/pg/conf.d/20-b.conf:1 host b b 10.0.0.2/32 md5",
      "/etc/pg/conf.d/Z-upper.conf:1 host z z 10.0.0.4/32 md5",
      "/abs/last.conf:1 local all all trust",
      "/etc/pg/pg_hba.conf:6 host all all all reject",
    ],
    errors: [],
  });
});

test("a missing include is an error at the include line (not for include_if_exists); parsing goes on", async () => {
  const file = await parse(
    "include missing.conf\ninclude_if_exists missing.conf\ninclude_dir nodir\nlocal all all peer\n",
  );
  assert.deepEqual(where(file), {
    rules: ["/etc/pg/pg_hba.conf:4 local all all peer"],
    errors: [
      '/etc/pg/pg_hba.conf:1 could not open file "/etc/pg/missing.conf": No such file or directory',
      '/etc/pg/pg_hba.conf:3 could not open directory "/etc/pg/nodir": No such file or directory',
    ],
  });
});

test("include paths may be quoted; a file in include_dir that cannot be read is an error at the directive", async () => {
  const options = memoryFiles({
    "/etc/pg/my rules.conf": "local all all peer\n",
    "/etc/pg/d/a.conf": "host a a all md5\n",
    "/etc/pg/d/b.conf": "",
  });
  const readFile = options.readFile as (path: string) => Promise<string>;
  const file = await parseHbaText('include "my rules.conf"\ninclude_dir d\n', "/etc/pg/pg_hba.conf", {
    ...options,
    readFile: async (path) => {
      if (path.endsWith("b.conf")) throw Object.assign(new Error("EACCES"), { code: "EACCES" });
      return readFile(path);
    },
  });
  assert.deepEqual(where(file), {
    rules: ["/etc/pg/my rules.conf:1 local all all peer", "/etc/pg/d/a.conf:1 host a a all md5"],
    errors: ['/etc/pg/pg_hba.conf:2 could not open file "/etc/pg/d/b.conf": Permission denied'],
  });
});

test("include loops are errors, however long the loop, and do not hang", async () => {
  const self = await parse("include pg_hba.conf\nlocal all all peer\n", {
    "/etc/pg/pg_hba.conf": "include pg_hba.conf\nlocal all all peer\n",
  });
  assert.deepEqual(where(self).errors, [
    '/etc/pg/pg_hba.conf:1 could not open file "/etc/pg/pg_hba.conf": include loop (/etc/pg/pg_hba.conf -> /etc/pg/pg_hba.conf)',
  ]);
  assert.equal(self.rules.length, 1);

  const cycle = await parse("include a.conf\n", {
    "/etc/pg/a.conf": "include b.conf\nhost a a all md5\n",
    "/etc/pg/b.conf": "include_if_exists a.conf\n",
  });
  assert.deepEqual(where(cycle), {
    rules: ["/etc/pg/a.conf:2 host a a all md5"],
    errors: [
      '/etc/pg/b.conf:1 could not open file "/etc/pg/a.conf": include loop (/etc/pg/pg_hba.conf -> /etc/pg/a.conf -> /etc/pg/b.conf -> /etc/pg/a.conf)',
    ],
  });

  const listLoop = await parse("host all @users 10.0.0.0/8 md5\n", { "/etc/pg/users": "alice @users\n" });
  assert.match(
    where(listLoop).errors[0] ?? "",
    /^\/etc\/pg\/pg_hba\.conf:1 could not open file "\/etc\/pg\/users": include loop/,
  );
});

test("nesting deeper than PostgreSQL allows is refused", async () => {
  const files: Record<string, string> = {};
  for (let depth = 1; depth <= 12; depth++) files[`/etc/pg/${depth}.conf`] = `include ${depth + 1}.conf\n`;
  files["/etc/pg/13.conf"] = "local all all peer\n";
  const file = await parse("include 1.conf\n", files);
  assert.deepEqual(where(file), {
    rules: [],
    errors: ['/etc/pg/10.conf:1 could not open file "/etc/pg/11.conf": maximum nesting depth exceeded'],
  });
});

test("@file lists: read relative to the including file, tokens by blanks and commas, comments and quotes kept", async () => {
  const file = await parse('host @dbs.txt alice,@"team users",bob 10.0.0.0/8 md5\nhost all @/abs/admins all md5\n', {
    "/etc/pg/dbs.txt": "app1, app2 # two apps\n\napp3\n",
    "/etc/pg/team users": '"all" carol\n+ops\n',
    "/abs/admins": "root\n",
  });
  assert.deepEqual(where(file), {
    rules: [
      '/etc/pg/pg_hba.conf:1 host app1,app2,app3 alice,"all",carol,+ops,bob 10.0.0.0/8 md5',
      "/etc/pg/pg_hba.conf:2 host all root all md5",
    ],
    errors: [],
  });
});

test("a missing @file makes its rule an error", async () => {
  const file = await parse("host all @nobody 10.0.0.0/8 md5\nlocal all all peer\n");
  assert.deepEqual(where(file).errors, [
    '/etc/pg/pg_hba.conf:1 could not open file "/etc/pg/nobody": No such file or directory',
  ]);
  assert.equal(file.rules.length, 1);
});

test("errors in included files carry the included file's name and line", async () => {
  const file = await parse("include extra.conf\n", { "/etc/pg/extra.conf": "\n\nhost all all 10.0.0.0/8 nope\n" });
  assert.equal(
    where(file).errors[0],
    '/etc/pg/extra.conf:3 invalid authentication method "nope" (PostgreSQL knows trust, reject, scram-sha-256, md5, password, gss, sspi, ident, peer, ldap, radius, cert, pam, bsd)',
  );
});

test("an include line needs exactly two fields; otherwise it is a (bad) rule", async () => {
  const file = await parse("include a.conf b.conf\n");
  assert.deepEqual(where(file).errors, ['/etc/pg/pg_hba.conf:1 invalid connection type "include"']);
});

test("parseHbaFile reads from disk with include_dir; a missing top-level file is a not-found error", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-hba-parse-"));
  try {
    await mkdir(join(dir, "conf.d", "sub.conf"), { recursive: true });
    await writeFile(join(dir, "pg_hba.conf"), "local all all peer\ninclude_dir conf.d\nhost all @users all md5\n");
    await writeFile(join(dir, "conf.d", "b.conf"), "host b all all md5\n");
    await writeFile(join(dir, "conf.d", "a.conf"), "host a all all md5\n");
    await writeFile(join(dir, "users"), "u1 u2\n");
    const file = await parseHbaFile(join(dir, "pg_hba.conf"));
    assert.deepEqual(where(file), {
      rules: [
        `${dir}/pg_hba.conf:1 local all all peer`,
        `${dir}/conf.d/a.conf:1 host a all all md5`,
        `${dir}/conf.d/b.conf:1 host b all all md5`,
        `${dir}/pg_hba.conf:3 host all u1,u2 all md5`,
      ],
      errors: [],
    });
    await assert.rejects(
      parseHbaFile(join(dir, "absent.conf")),
      (error: unknown) => error instanceof PgwardenError && error.code === "hba-file-missing" && error.exitCode === 4,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("parseHbaText uses the given readFile for the file's includes", async () => {
  const reads: string[] = [];
  const file = await parseHbaText("include x.conf\ninclude x.conf\n", "rel/pg_hba.conf", {
    readFile: (path) => {
      reads.push(path);
      return Promise.resolve("local all all peer\n");
    },
  });
  assert.deepEqual(
    file.rules.map((rule) => `${rule.source.file}:${rule.source.line}`),
    ["rel/x.conf:1", "rel/x.conf:1"],
  );
  assert.deepEqual(reads, ["rel/x.conf"], "a file included twice is read once");
});

test("PostgreSQL 15: a token starting with / is a plain name (its line is kept) and include lines are not directives", async () => {
  const text = ["host all /( 127.0.0.1/32 trust", "host /[ all 127.0.0.1/32 trust", "include other.conf"].join("\n");
  const files = { "/etc/pg/other.conf": "local all all trust" };
  const v15 = await parseHbaText(text, "/etc/pg/pg_hba.conf", { ...memoryFiles(files), majorVersion: 15 });
  assert.deepEqual(where(v15), {
    rules: [
      "/etc/pg/pg_hba.conf:1 host all /( 127.0.0.1/32 trust",
      "/etc/pg/pg_hba.conf:2 host /[ all 127.0.0.1/32 trust",
    ],
    errors: ['/etc/pg/pg_hba.conf:3 invalid connection type "include"'],
  });
  // From 16 on the same tokens are regular expressions that do not compile, and include reads the file.
  const v16 = where(await parseHbaText(text, "/etc/pg/pg_hba.conf", { ...memoryFiles(files), majorVersion: 16 }));
  assert.deepEqual(v16.rules, ["/etc/pg/other.conf:1 local all all trust"]);
  assert.equal(v16.errors.length, 2);
  assert.match(v16.errors[0] ?? "", /:1 invalid regular expression "\("/);
});

test("an address with a mask that is not contiguous is loaded as written, address and mask (PostgreSQL matches it bit by bit)", async () => {
  const file = await parse(
    [
      "host all all 127.0.0.1 255.0.255.0 trust",
      "host all all 10.1.2.3 255.255.0.255 md5",
      "host all all 10.0.0.0 255.255.0.0 md5",
    ].join("\n"),
  );
  assert.deepEqual(file.errors, []);
  assert.deepEqual(
    file.rules.map((rule) => rule.address),
    ["127.0.0.1 255.0.255.0", "10.1.2.3 255.255.0.255", "10.0.0.0/16"],
  );
});
