import { z } from "zod";

import { certificateInfo, document, hbaApplied, hbaRuleRef, lintFinding, sandboxState, sessionTls } from "./common.js";

export const quickstartShape = document(
  {
    dir: z.string(),
    pki: z.string(),
    ca: z.strictObject({ action: z.enum(["created", "reissued", "adopted"]), certificate: certificateInfo }),
    sandbox: z.strictObject({
      action: z.enum(["created", "started", "running"]),
      state: sandboxState,
      serverCertificate: z.string(),
    }),
    inventory: z.strictObject({ path: z.string(), action: z.enum(["written", "kept"]), passwordFile: z.string() }),
    hba: z.strictObject({
      name: z.string(),
      rules: z.array(hbaRuleRef),
      findings: z.array(lintFinding),
      applied: hbaApplied,
    }),
    roles: z.strictObject({
      changes: z.array(
        z.strictObject({ kind: z.string(), role: z.string().optional(), summary: z.string(), sql: z.string() }),
      ),
    }),
    role: z.strictObject({ name: z.string(), action: z.enum(["created", "exists"]) }),
    client: z.strictObject({
      action: z.enum(["issued", "kept"]),
      certPath: z.string(),
      keyPath: z.string(),
      certificate: certificateInfo,
    }),
    session: sessionTls,
    psql: z.string(),
    app: z
      .strictObject({ user: z.string(), passwordFrom: z.string(), session: sessionTls, rule: hbaRuleRef.nullable() })
      .nullable(),
  },
  "pgwarden quickstart",
);
