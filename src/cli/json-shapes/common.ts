import { z } from "zod";

/*
 * Pieces several commands' JSON documents share, defined once so each appears the same way in
 * every schema. Every object is strict: a field that is not documented here fails validation.
 */

/** A file mode as chmod writes it: "0600". */
export const fileMode = z
  .string()
  .regex(/^0[0-7]{3}$/)
  .describe('file mode in octal, as chmod writes it: "0600"');

/** ISO 8601 time in UTC, as Date.toJSON writes it. */
export const isoTime = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

/** Every document's warnings: the same lines stderr showed (`pgwarden: warning: ...`), without the prefix. */
export const warnings = z.array(z.string()).describe("every warning the command gave, also written to stderr");

/** A command's document: a strict object with its own fields and `warnings`. */
export function document<T extends z.ZodRawShape>(fields: T, description: string) {
  return z.strictObject({ ...fields, warnings }).describe(description);
}

export const severity = z.enum(["info", "low", "medium", "high", "critical"]);

export const sourceLocation = z.strictObject({ file: z.string(), line: z.number().int() });

/** A certificate as `cert inspect` and `ca show` describe it. */
export const certificateInfo = z.strictObject({
  subject: z.string(),
  commonName: z.string().nullable(),
  issuer: z.string(),
  serial: z.string(),
  notBefore: isoTime,
  notAfter: isoTime,
  daysLeft: z.number().int(),
  subjectAltNames: z.array(z.strictObject({ type: z.enum(["dns", "ip"]), value: z.string() })),
  keyUsage: z.array(z.string()),
  extendedKeyUsage: z.array(z.string()),
  basicConstraints: z.strictObject({ ca: z.boolean(), pathLength: z.number().int().nullable() }).nullable(),
  keyType: z.string(),
  keyBits: z.number().int().nullable(),
  signatureAlgorithm: z.string(),
  subjectKeyId: z.string().nullable(),
  authorityKeyId: z.string().nullable(),
  selfSigned: z.boolean(),
  fingerprintSha256: z.string(),
  fingerprintSha1: z.string(),
});

/** A certificate pgwarden just issued or signed (`cert issue`, `cert sign`). */
export const issuedCertificate = z.strictObject({
  serial: z.string(),
  subject: z.string(),
  subjectAltNames: z.array(z.string()).describe('as "DNS:name" or "IP:address"'),
  notBefore: isoTime,
  notAfter: isoTime,
  fingerprintSha256: z.string(),
  keyType: z.string(),
  profile: z.enum(["server", "client", "peer"]),
  keyPath: z.string().nullable().describe("null for a signed request: the key stayed with its owner"),
  certPath: z.string(),
  chainPath: z.string().optional().describe("<cn>.fullchain.crt (leaf then intermediate), when an intermediate signed"),
  issuerName: z.string().optional().describe('the CA that signed: "ca" (the root) or an intermediate\'s name'),
});

/** A TLS handshake with a server, verified against the CA (the served certificate's DER is left out). */
export const tlsProbe = z.strictObject({
  host: z.string(),
  port: z.number().int(),
  tls: z.boolean(),
  protocol: z.string().optional(),
  cipher: z.string().optional(),
  fingerprintSha256: z.string().optional(),
  subject: z.string().optional(),
  notAfter: isoTime.optional(),
  verified: z.boolean().optional(),
  verifyError: z.string().optional(),
});

/** Whether the running server serves the installed certificate. */
export const served = z.strictObject({
  running: z.boolean(),
  matches: z.boolean().nullable(),
  probe: tlsProbe.nullable(),
});

/** What `sandbox up` recorded in <dir>/sandbox.json. */
export const sandboxState = z.strictObject({
  version: z.literal(1),
  dir: z.string(),
  pgdata: z.string(),
  socketDir: z.string(),
  logFile: z.string(),
  port: z.number().int(),
  binDir: z.string(),
  osUser: z.string(),
  superuser: z.string(),
  pki: z.string(),
  createdAt: isoTime,
});

/** A pg_hba rule by where it is and what it says. */
export const hbaRuleRef = z.strictObject({
  file: z.string(),
  line: z.number().int(),
  text: z.string(),
  method: z.string(),
  options: z.record(z.string(), z.string()),
});

/** An hba lint finding. */
export const lintFinding = z.strictObject({
  id: z.string(),
  severity,
  source: sourceLocation,
  rule: z.string(),
  message: z.string(),
  why: z.string(),
  fix: z.string(),
});

/** What `hba apply` did. */
export const hbaApplied = z.strictObject({
  hbaFile: z.string(),
  action: z.enum(["create", "replace", "unchanged"]),
  backup: z.string().optional(),
  reloaded: z.boolean(),
  confirmedBy: z.string().optional(),
  overridden: z.array(z.string()),
});

/** What the server says of a session (pg_stat_ssl). */
export const sessionTls = z.strictObject({
  currentUser: z.string(),
  ssl: z.boolean(),
  version: z.string().nullable(),
  cipher: z.string().nullable(),
  clientDn: z.string().nullable(),
});

/** A role change of `role plan`/`role apply`, its SQL with passwords masked. */
export const roleChange = z.strictObject({
  kind: z.string(),
  role: z.string().optional(),
  summary: z.string(),
  sql: z.string(),
  masksPassword: z.boolean(),
  locksOut: z.string().optional(),
});
