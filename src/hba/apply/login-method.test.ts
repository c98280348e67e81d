import assert from "node:assert/strict";
import { test } from "node:test";

import { parseHbaText } from "../parse/index.js";
import { type LoginMeans, mapAllows, methodVerdict } from "./login-method.js";

const ruleOf = async (line: string) => {
  const parsed = await parseHbaText(`${line}\n`, "/pg/data/pg_hba.conf", { majorVersion: 15 });
  assert.deepEqual(parsed.errors, []);
  return parsed.rules[0] as NonNullable<(typeof parsed.rules)[0]>;
};
const MAPS = [
  { map: "ops", sys: "alice", pg: "postgres", error: null },
  { map: "re", sys: "/^(.*)@corp$", pg: "\\1", error: null },
];
const PEER: LoginMeans = { osUser: "postgres", sendsPassword: false, passwordKind: "scram", identMappings: MAPS };

test("methodVerdict: which logins pass which method, as PostgreSQL decides it", async () => {
  const cases: { line: string; role?: string; means: LoginMeans; pass: true | false | "unknown"; says?: RegExp }[] = [
    { line: "local all all trust", means: PEER, pass: true },
    { line: "local all all peer", means: PEER, pass: true },
    {
      line: "local all all peer",
      role: "app",
      means: PEER,
      pass: false,
      says: /OS user postgres is not app and the line names no map/,
    },
    {
      line: "local all all peer map=nomap",
      means: PEER,
      pass: false,
      says: /map nomap does not map OS user postgres to postgres/,
    },
    { line: "local all all peer map=ops", means: { ...PEER, osUser: "alice" }, pass: true },
    {
      line: "local all all peer map=ops",
      means: { ...PEER, identMappings: undefined },
      pass: "unknown",
      says: /cannot tell whether map ops/,
    },
    { line: "local all all scram-sha-256", means: PEER, pass: false, says: /sends no password/ },
    { line: "local all all scram-sha-256", means: { ...PEER, sendsPassword: true }, pass: true },
    {
      line: "local all all scram-sha-256",
      means: { ...PEER, sendsPassword: true, passwordKind: "md5" },
      pass: false,
      says: /stored as MD5/,
    },
    { line: "local all all md5", means: { ...PEER, sendsPassword: true, passwordKind: "scram" }, pass: true },
    {
      line: "local all all password",
      means: { ...PEER, sendsPassword: true, passwordKind: "none" },
      pass: false,
      says: /postgres has no password, so password refuses it/,
    },
    { line: "local all all pam", means: PEER, pass: "unknown", says: /pam/ },
    { line: "hostssl all all 127.0.0.1/32 cert", means: { ...PEER, certificateCn: "postgres" }, pass: true },
    {
      line: "hostssl all all 127.0.0.1/32 cert",
      means: { ...PEER, certificateCn: "other" },
      pass: false,
      says: /certificate CN other is not postgres/,
    },
    {
      line: "hostssl all all 127.0.0.1/32 cert map=re",
      means: { ...PEER, certificateCn: "postgres@corp" },
      pass: true,
    },
    { line: "hostssl all all 127.0.0.1/32 cert", means: PEER, pass: false, says: /no client certificate/ },
    {
      line: "hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-full",
      means: { ...PEER, sendsPassword: true },
      pass: false,
      says: /no client certificate/,
    },
  ];
  for (const { line, role, means, pass, says } of cases) {
    const verdict = methodVerdict(await ruleOf(line), role ?? "postgres", means);
    assert.equal(verdict.pass, pass, `${line}: ${JSON.stringify(verdict)}`);
    if (says && verdict.pass !== true) assert.match(verdict.reason, says, line);
  }
});

test("mapAllows: a +group or an error in pg_ident.conf makes pgwarden unsure rather than wrong", () => {
  assert.equal(mapAllows([{ map: "m", sys: "a", pg: "+admins", error: null }], "m", "a", "postgres"), undefined);
  assert.equal(mapAllows([{ map: null, sys: null, pg: null, error: "bad line" }], "m", "a", "postgres"), undefined);
  assert.equal(mapAllows([], "m", "a", "postgres"), false);
});
