import { isIP } from "node:net";
import { z } from "zod";
import { parseNetwork } from "../hba/address.js";
import { hbaRuleSpecSchema, type HbaRuleSpec } from "../hba/render/rule-spec.js";

/** pg_role values an instance may have. */
export const PG_ROLES = ["primary", "replica", "offline", "standby", "delayed"] as const;
export type PgRole = (typeof PG_ROLES)[number];

/** Ansible's `bool` filter: booleans, 1/0, and the usual words. */
const TRUE_WORDS = ["true", "yes", "on", "y", "1"];
const FALSE_WORDS = ["false", "no", "off", "n", "0", ""];
const boolish = z.union(
  [
    z.boolean(),
    z.literal([0, 1]).transform((value) => value === 1),
    z
      .string()
      .refine((value) => [...TRUE_WORDS, ...FALSE_WORDS].includes(value.toLowerCase()))
      .transform((value) => TRUE_WORDS.includes(value.toLowerCase())),
  ],
  { error: "expected a boolean (true, false, yes, no)" },
);

/** A name written into pg_hba fields and comments: one token, so it cannot split a rule or start a line. */
const SAFE_NAME = /^[^\s#,"\u0000-\u001f\u007f]+$/;

const roleName = z
  .string()
  .min(1, "expected a role name, got an empty string")
  .regex(SAFE_NAME, "a role name here must not contain spaces, #, commas, quotes or control characters");

const knownVarsSchema = z.object({
  pg_cluster: z
    .string()
    .min(1, "expected a cluster name, got an empty string")
    .regex(SAFE_NAME, "a cluster name must not contain spaces, #, commas, quotes or control characters")
    .optional(),
  pg_role: z.enum(PG_ROLES, { error: (issue) => `invalid pg_role ${JSON.stringify(issue.input)}: use one of ${PG_ROLES.join(", ")}` }).optional(),
  pg_seq: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)], { error: "expected a non-negative integer" }).optional(),
  pg_dbsu: roleName.optional(),
  pg_replication_username: roleName.optional(),
  pg_monitor_username: roleName.optional(),
  pg_admin_username: roleName.optional(),
  admin_ip: z.string().refine((value) => isIP(value) !== 0, { error: (issue) => `${JSON.stringify(issue.input)} is not an IP address` }).optional(),
  node_firewall_intranet: z
    .array(z.string().refine((value) => parseNetwork(value) !== undefined, { error: (issue) => `${JSON.stringify(issue.input)} is not an IPv4/IPv6 CIDR` }))
    .optional(),
  pg_pwd_enc: z.enum(["scram-sha-256", "md5"], { error: (issue) => `invalid pg_pwd_enc ${JSON.stringify(issue.input)}: use scram-sha-256 or md5` }).optional(),
  pg_offline_query: boolish.optional(),
  pg_default_hba_rules: z.array(hbaRuleSpecSchema("pg")).optional(),
  pg_hba_rules: z.array(hbaRuleSpecSchema("pg")).optional(),
  pgb_default_hba_rules: z.array(hbaRuleSpecSchema("pgbouncer")).optional(),
  pgb_hba_rules: z.array(hbaRuleSpecSchema("pgbouncer")).optional(),
});

/**
 * The inventory keys pgwarden reads, each checked where it is written (global, group or host
 * vars). Every other key is kept as it is: a Pigsty inventory has hundreds pgwarden ignores.
 */
export const inventoryVarsSchema = knownVarsSchema.loose();

/** The keys whose values are lists of HBA rule objects. */
export const HBA_RULE_KEYS = ["pg_default_hba_rules", "pg_hba_rules", "pgb_default_hba_rules", "pgb_hba_rules"] as const;
export type HbaRuleKey = (typeof HBA_RULE_KEYS)[number];

/**
 * One vars block after validation: the known keys typed, the rest as written. Rule objects
 * carry where they were written (`source`), which the loader adds.
 */
export type InventoryVars = Omit<z.output<typeof knownVarsSchema>, HbaRuleKey> & { readonly [K in HbaRuleKey]?: readonly HbaRuleSpec[] } & { readonly [key: string]: unknown };
