import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { parseInventory } from "../../../config/load-inventory.js";
import { md5Secret } from "../../../roles/md5.js";
import { scramVerifier } from "../../../roles/scram.js";
import { type AuditCheck, type CheckContext, type FindingDraft } from "../../audit-check.js";
import { inventoryView } from "../../facts/inventory-view.js";
import { backupDisabled } from "./backup-disabled.js";
import { backupUnencrypted } from "./backup-unencrypted.js";
import { checksumOff } from "./checksum-off.js";
import { clusterTooSmall } from "./cluster-too-small.js";
import { confNotCrit } from "./conf-not-crit.js";
import { defaultPasswords } from "./default-passwords.js";
import { etcdEven } from "./etcd-even.js";
import { INVENTORY_CHECKS } from "./index.js";
import { listenAll } from "./listen-all.js";
import { patroniSslOff } from "./patroni-ssl-off.js";
import { pgbouncerSslmodeDisable } from "./pgbouncer-sslmode-disable.js";
import { singleInfra } from "./single-infra.js";

const FILE = "pigsty.yml";

/** The check's findings on an inventory written as YAML, optionally narrowed to one cluster. */
async function judge(check: AuditCheck, yaml: string, cluster?: string): Promise<readonly FindingDraft[]> {
  const view = inventoryView({ inventory: parseInventory(yaml, FILE), file: FILE, ...(cluster ? { cluster } : {}) });
  const context: CheckContext = {
    now: new Date("2026-12-05T00:00:00Z"),
    target: FILE,
    fact: <T>() => view as T,
    optional: <T>() => view as T,
    sawCertificate: () => undefined,
  };
  return check.run(context);
}

const subjects = (drafts: readonly FindingDraft[]): string[] => drafts.map((draft) => draft.subject).sort();

/** A cluster of `members` nodes (10.0.0.1...), with `vars` as YAML lines under its vars. */
function cluster(name: string, members: number, vars: readonly string[] = [], first = 1): string {
  const hosts = Array.from({ length: members }, (_, index) => {
    const seq = index + 1;
    return `        10.0.${first}.${seq}: { pg_seq: ${seq}, pg_role: ${seq === 1 ? "primary" : "replica"} }`;
  });
  return [
    `    ${name}:`,
    "      hosts:",
    ...hosts,
    "      vars:",
    `        pg_cluster: ${name}`,
    ...vars.map((line) => `        ${line}`),
  ].join("\n");
}

function inventory(children: readonly string[], globals: readonly string[] = []): string {
  return [
    "all:",
    "  children:",
    ...children,
    "  vars:",
    "    admin_ip: 10.0.0.100",
    ...globals.map((line) => `    ${line}`),
    "",
  ].join("\n");
}

/** Every password of the fleet set, so that a test sees only the finding it plants. */
const OWN_PASSWORDS = [
  "pg_admin_password: own-admin-1",
  "pg_monitor_password: own-monitor-1",
  "pg_replication_password: own-repl-1",
  "patroni_password: own-patroni-1",
  "haproxy_admin_password: own-haproxy-1",
  "grafana_admin_password: own-grafana-1",
  "minio_secret_key: own-minio-1",
  "etcd_root_password: own-etcd-1",
];

describe("inventory/default-passwords", () => {
  test("an unset password is Pigsty's default: one finding per key, never the value", async () => {
    const drafts = await judge(defaultPasswords, inventory([cluster("pg-test", 3)]));
    assert.deepEqual(subjects(drafts), [
      "haproxy_admin_password",
      "patroni_password",
      "pg_admin_password",
      "pg_monitor_password",
      "pg_replication_password",
    ]);
    const admin = drafts.find((draft) => draft.subject === "pg_admin_password");
    assert.equal(admin?.severity, "critical");
    assert.match(admin?.message ?? "", /not set, so Pigsty's roles\/pgsql\/defaults\/main\.yml:31/);
    for (const secret of ["DBUser.DBA", "DBUser.Monitor", "DBUser.Replicator", "Patroni.API"])
      assert.ok(!JSON.stringify(drafts).includes(secret), `${secret} shown`);
    // HAProxy's default is the word "pigsty": the evidence says "the Pigsty default" in its place.
    for (const draft of drafts) assert.match(draft.evidence[0]?.value ?? "", /^the Pigsty default \(/);
  });

  test("the default written out is found at its line; one finding for every cluster that inherits it", async () => {
    const yaml = inventory(
      [cluster("pg-a", 3), cluster("pg-b", 3, [], 2)],
      [...OWN_PASSWORDS.slice(1), "pg_admin_password: DBUser.DBA"],
    );
    const drafts = await judge(defaultPasswords, yaml);
    assert.equal(drafts.length, 1);
    assert.equal(drafts[0]?.subject, "pg_admin_password");
    assert.match(drafts[0]?.message ?? "", /cluster pg-a, cluster pg-b \(set in all\.vars\)/);
    const line = yaml.split("\n").findIndex((text) => text.includes("pg_admin_password: DBUser.DBA")) + 1;
    assert.deepEqual(drafts[0]?.evidence[0]?.source, { file: FILE, line });
  });

  test("a cluster overriding a password: its own finding, named by its group", async () => {
    const yaml = inventory(
      [cluster("pg-a", 3), cluster("pg-b", 3, ["pg_monitor_password: DBUser.Monitor"], 2)],
      OWN_PASSWORDS,
    );
    assert.deepEqual(subjects(await judge(defaultPasswords, yaml)), ["pg_monitor_password (group pg-b)"]);
  });

  test("a SCRAM or md5 secret of the default is the default; of another password it is not", async () => {
    const scram = scramVerifier("DBUser.DBA");
    const md5 = md5Secret("DBUser.Replicator", "replicator");
    const others = OWN_PASSWORDS.filter((line) => !/^pg_(admin|replication)_password/.test(line));
    const planted = inventory(
      [cluster("pg-test", 3)],
      [...others, `pg_admin_password: '${scram}'`, `pg_replication_password: '${md5}'`],
    );
    assert.deepEqual(subjects(await judge(defaultPasswords, planted)), [
      "pg_admin_password",
      "pg_replication_password",
    ]);
    const fine = inventory(
      [cluster("pg-test", 3)],
      [
        ...others,
        `pg_admin_password: '${scramVerifier("x-Other-1")}'`,
        `pg_replication_password: '${md5Secret("DBUser.Replicator", "someone")}'`,
      ],
    );
    assert.deepEqual(await judge(defaultPasswords, fine), []);
  });

  test("a password kept outside the inventory ({env: NAME}) is not judged", async () => {
    const others = OWN_PASSWORDS.filter((line) => !line.startsWith("pg_admin_password"));
    const yaml = inventory([cluster("pg-test", 3)], [...others, "pg_admin_password: { env: PG_ADMIN_PASSWORD }"]);
    assert.deepEqual(await judge(defaultPasswords, yaml), []);
  });

  test("Grafana, MinIO and etcd passwords count only where the inventory has those nodes; HAProxy where it is enabled", async () => {
    const fleet = [
      "    infra: { hosts: { 10.0.9.1: { infra_seq: 1 } } }",
      "    etcd: { hosts: { 10.0.9.1: { etcd_seq: 1 } }, vars: { etcd_cluster: etcd } }",
      "    minio: { hosts: { 10.0.9.1: { minio_seq: 1 } }, vars: { minio_cluster: minio } }",
    ];
    const own = OWN_PASSWORDS.filter((line) => !/^(grafana|minio|etcd)/.test(line));
    const drafts = await judge(defaultPasswords, inventory([...fleet, cluster("pg-test", 3)], own));
    assert.deepEqual(subjects(drafts), ["etcd_root_password", "grafana_admin_password", "minio_secret_key"]);
    assert.deepEqual(await judge(defaultPasswords, inventory([cluster("pg-test", 3)], own)), []);
    const noHaproxy = OWN_PASSWORDS.filter((line) => !line.startsWith("haproxy")).concat("haproxy_enabled: false");
    assert.deepEqual(await judge(defaultPasswords, inventory([cluster("pg-test", 3)], noHaproxy)), []);
  });

  test("the backup repository in use encrypted with Pigsty's cipher_pass", async () => {
    const repo = [
      "pgbackrest_method: minio",
      "pgbackrest_repo: { minio: { type: s3, cipher_type: aes-256-cbc, cipher_pass: pgBackRest } }",
    ];
    const drafts = await judge(defaultPasswords, inventory([cluster("pg-test", 3, repo)], OWN_PASSWORDS));
    assert.deepEqual(subjects(drafts), ["pgbackrest_repo.minio.cipher_pass (group pg-test)"]);
    assert.ok(!JSON.stringify(drafts).includes("pgBackRest"));
    // Pigsty's default repositories with the local one in use: the MinIO one holds no backup.
    assert.deepEqual(await judge(defaultPasswords, inventory([cluster("pg-test", 3)], OWN_PASSWORDS)), []);
  });
});

describe("inventory/backup-unencrypted", () => {
  const remote = (extra: string) => [
    "pgbackrest_method: minio",
    `pgbackrest_repo: { local: { path: /pg/backup }, minio: { type: s3, s3_bucket: pgsql${extra} } }`,
  ];

  test("a remote repository in use without cipher_type, or with cipher_type none", async () => {
    const drafts = await judge(backupUnencrypted, inventory([cluster("pg-test", 3, remote(""))]));
    assert.deepEqual(subjects(drafts), ["pgbackrest_repo.minio (group pg-test)"]);
    assert.match(drafts[0]?.message ?? "", /s3 repository minio without cipher_type/);
    assert.equal(
      (await judge(backupUnencrypted, inventory([cluster("pg-test", 3, remote(", cipher_type: none"))]))).length,
      1,
    );
  });

  test("silent: encrypted, local, defined but not in use, pgBackRest disabled, Pigsty's defaults", async () => {
    assert.deepEqual(
      await judge(backupUnencrypted, inventory([cluster("pg-test", 3, remote(", cipher_type: aes-256-cbc"))])),
      [],
    );
    const local = ["pgbackrest_repo: { local: { path: /pg/backup } }"];
    assert.deepEqual(await judge(backupUnencrypted, inventory([cluster("pg-test", 3, local)])), []);
    const unused = ["pgbackrest_repo: { local: { path: /pg/backup }, minio: { type: s3 } }"];
    assert.deepEqual(await judge(backupUnencrypted, inventory([cluster("pg-test", 3, unused)])), []);
    const disabled = [...remote(""), "pgbackrest_enabled: false"];
    assert.deepEqual(await judge(backupUnencrypted, inventory([cluster("pg-test", 3, disabled)])), []);
    assert.deepEqual(
      await judge(backupUnencrypted, inventory([cluster("pg-test", 3, ["pgbackrest_method: minio"])])),
      [],
    );
  });
});

describe("inventory/backup-disabled", () => {
  test("pgbackrest_enabled false on every member fires; on some members, or unset (Pigsty's true), does not", async () => {
    const drafts = await judge(backupDisabled, inventory([cluster("pg-test", 3, ["pgbackrest_enabled: false"])]));
    assert.deepEqual(subjects(drafts), ["pg-test"]);
    assert.equal(drafts[0]?.evidence[0]?.value, "false (set in group pg-test)");
    assert.deepEqual(await judge(backupDisabled, inventory([cluster("pg-test", 3)])), []);
    const oneHost = [
      "all:",
      "  children:",
      "    pg-test:",
      "      hosts:",
      "        10.0.1.1: { pg_seq: 1, pg_role: primary }",
      "        10.0.1.2: { pg_seq: 2, pg_role: replica, pgbackrest_enabled: false }",
      "      vars: { pg_cluster: pg-test }",
      "",
    ].join("\n");
    assert.deepEqual(await judge(backupDisabled, oneHost), []);
  });
});

describe("inventory TLS and listen checks", () => {
  test("patroni_ssl_enabled: false when unset or false; silent when true (or yes)", async () => {
    assert.deepEqual(subjects(await judge(patroniSslOff, inventory([cluster("pg-test", 3)]))), ["patroni_ssl_enabled"]);
    assert.deepEqual(
      subjects(await judge(patroniSslOff, inventory([cluster("pg-test", 3, ["patroni_ssl_enabled: false"])]))),
      ["patroni_ssl_enabled (group pg-test)"],
    );
    assert.deepEqual(await judge(patroniSslOff, inventory([cluster("pg-test", 3)], ["patroni_ssl_enabled: yes"])), []);
  });

  test("pgbouncer_sslmode: disable is high, allow/prefer medium, require silent", async () => {
    const [unset] = await judge(pgbouncerSslmodeDisable, inventory([cluster("pg-test", 3)]));
    assert.equal(unset?.severity, undefined);
    assert.match(unset?.message ?? "", /'disable'.*pgbouncer refuses TLS/);
    const [prefer] = await judge(
      pgbouncerSslmodeDisable,
      inventory([cluster("pg-test", 3)], ["pgbouncer_sslmode: prefer"]),
    );
    assert.equal(prefer?.severity, "medium");
    assert.deepEqual(
      await judge(pgbouncerSslmodeDisable, inventory([cluster("pg-test", 3)], ["pgbouncer_sslmode: require"])),
      [],
    );
  });

  test("pg_listen on every interface (unset, 0.0.0.0 or * in the list); specific addresses are fine", async () => {
    assert.equal((await judge(listenAll, inventory([cluster("pg-test", 3)]))).length, 1);
    assert.equal((await judge(listenAll, inventory([cluster("pg-test", 3)], ["pg_listen: '${ip},*'"]))).length, 1);
    assert.deepEqual(
      await judge(listenAll, inventory([cluster("pg-test", 3)], ["pg_listen: '${ip},${vip},${lo}'"])),
      [],
    );
  });

  test("a host overriding pg_listen gets its own finding, at the host's line", async () => {
    const yaml = [
      "all:",
      "  children:",
      "    pg-test:",
      "      hosts:",
      "        10.0.1.1: { pg_seq: 1, pg_role: primary }",
      "        10.0.1.2: { pg_seq: 2, pg_role: replica, pg_listen: 0.0.0.0 }",
      "      vars: { pg_cluster: pg-test }",
      "  vars:",
      "    pg_listen: '${ip},${lo}'",
      "",
    ].join("\n");
    const drafts = await judge(listenAll, yaml);
    assert.deepEqual(subjects(drafts), ["pg_listen (host 10.0.1.2)"]);
    assert.deepEqual(drafts[0]?.evidence[0]?.source, { file: FILE, line: 6 });
  });
});

describe("inventory availability checks", () => {
  test("cluster-too-small: one node high, two medium, three silent", async () => {
    const drafts = await judge(
      clusterTooSmall,
      inventory([cluster("pg-one", 1), cluster("pg-two", 2, [], 2), cluster("pg-three", 3, [], 3)]),
    );
    assert.deepEqual(
      drafts.map((draft) => [draft.subject, draft.severity]),
      [
        ["pg-one", "high"],
        ["pg-two", undefined],
      ],
    );
  });

  test("--cluster narrows the cluster checks to that cluster", async () => {
    const yaml = inventory([cluster("pg-one", 1), cluster("pg-two", 2, [], 2)]);
    assert.deepEqual(subjects(await judge(clusterTooSmall, yaml, "pg-two")), ["pg-two"]);
  });

  test("etcd-even: 2 and 4 members fire, 1 and 3 do not", async () => {
    const etcd = (count: number) =>
      `    etcd: { hosts: { ${Array.from({ length: count }, (_, i) => `10.0.9.${i + 1}: { etcd_seq: ${i + 1} }`).join(", ")} }, vars: { etcd_cluster: etcd } }`;
    for (const [count, fires] of [
      [1, false],
      [2, true],
      [3, false],
      [4, true],
    ] as const)
      assert.equal((await judge(etcdEven, inventory([etcd(count)]))).length, fires ? 1 : 0, `${count} members`);
  });

  test("single-infra: one infra node fires; two, or none, do not", async () => {
    const infra = (count: number) =>
      `    infra: { hosts: { ${Array.from({ length: count }, (_, i) => `10.0.9.${i + 1}: { infra_seq: ${i + 1} }`).join(", ")} } }`;
    assert.deepEqual(subjects(await judge(singleInfra, inventory([infra(1)]))), ["infra"]);
    assert.deepEqual(await judge(singleInfra, inventory([infra(2)])), []);
    assert.deepEqual(await judge(singleInfra, inventory([cluster("pg-test", 3)])), []);
  });

  test("checksum-off: pg_checksum false (or no) fires; unset is Pigsty's true", async () => {
    assert.equal((await judge(checksumOff, inventory([cluster("pg-test", 3, ["pg_checksum: no"])]))).length, 1);
    assert.deepEqual(await judge(checksumOff, inventory([cluster("pg-test", 3)])), []);
  });

  test("conf-not-crit: a cluster marked pgwarden_critical without crit.yml; unmarked or crit.yml is silent", async () => {
    const drafts = await judge(confNotCrit, inventory([cluster("pg-test", 3, ["pgwarden_critical: true"])]));
    assert.deepEqual(subjects(drafts), ["pg-test"]);
    assert.match(drafts[0]?.message ?? "", /pg_conf is 'oltp\.yml' \(not set/);
    assert.deepEqual(await judge(confNotCrit, inventory([cluster("pg-test", 3)])), []);
    assert.deepEqual(
      await judge(confNotCrit, inventory([cluster("pg-test", 3, ["pgwarden_critical: true", "pg_conf: crit.yml"])])),
      [],
    );
  });
});

test("every inventory check is an inventory-scoped check with an id of its family, a why and a fix", () => {
  for (const check of INVENTORY_CHECKS) {
    assert.equal(check.scope, "inventory", check.id);
    assert.match(check.id, /^inventory\/[a-z-]+$/);
    assert.ok(check.why.length > 0 && check.fix.length > 0, check.id);
  }
  assert.equal(new Set(INVENTORY_CHECKS.map((check) => check.id)).size, 11);
});
