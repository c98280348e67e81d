import { z } from "zod";

import { document, fileMode, served } from "./common.js";

const plan = z.strictObject({
  pgdata: z.string(),
  configFile: z.string().optional().describe("absent with --conn: the settings go through ALTER SYSTEM"),
  owner: z.strictObject({ name: z.string(), uid: z.number().int(), gid: z.number().int() }),
  files: z.array(
    z.strictObject({
      path: z.string(),
      what: z.string(),
      action: z.enum(["create", "replace", "unchanged"]),
      mode: fileMode,
    }),
  ),
  settings: z.record(z.string(), z.string()),
  overridden: z.array(z.string()).describe("settings postgresql.auto.conf overrides"),
  changed: z.boolean(),
});

export const pgTlsShape = document(
  {
    via: z.enum(["pgdata", "conn", "print"]).describe("which of --pgdata, --conn, --print ran"),
    dryRun: z.boolean(),
    dataDirectory: z.string().nullable(),
    certificate: z
      .strictObject({
        path: z.string(),
        action: z
          .enum(["issued", "kept", "reissued", "issue", "reissue"])
          .describe("issue/reissue: what --dry-run would do"),
        reason: z.string().nullable(),
        backups: z.array(z.string()),
      })
      .nullable(),
    plan: plan.nullable(),
    alterSystem: z.array(z.string()).describe("settings changed (or, with --dry-run, to change) with ALTER SYSTEM"),
    reloaded: z.boolean(),
    served: served.nullable().describe("what the server serves after the change; null with --dry-run and --print"),
    snippet: z
      .strictObject({ target: z.enum(["pgbouncer", "patroni", "etcd"]), text: z.string() })
      .nullable()
      .describe("--print's lines"),
  },
  "pgwarden pg tls: one shape for --pgdata, --conn, --print and --dry-run; what did not happen is null or empty",
);
