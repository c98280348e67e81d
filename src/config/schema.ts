import { isIP } from "node:net";

import { z } from "zod";

import { parseNetwork } from "../core/address.js";
import { newRoleNameProblem } from "../core/role-name.js";
import { ansibleBool } from "./ansible-bool.js";
import { PG_ROLES } from "./hba-rules/role-gate.js";
import { type HbaRuleSpec, hbaRuleSpecSchema } from "./hba-rules/rule-spec.js";
import {
  defaultPrivilegeSchema,
  type PasswordInput,
  passwordInputSchema,
  type RoleEntry,
  roleEntrySchema,
} from "./role-entry.js";

/** A name written into pg_hba fields and comments: one token, so it cannot split a rule or start a line. */
const SAFE_NAME = /^[^\s#,"\u0000-\u001f\u007f]+$/;

/** A system user's name (pg_dbsu, pg_admin_username, ...): one pg_hba token, and a role pgwarden may make. */
const roleName = z
  .string()
  .min(1, "expected a role name, got an empty string")
  .regex(SAFE_NAME, "a role name here must not contain spaces, #, commas, quotes or control characters")
  .superRefine((name, context) => {
    // The two checks above have said what is wrong with an empty or unsafe name.
    const problem = SAFE_NAME.test(name) ? newRoleNameProblem(name) : undefined;
    if (problem) context.addIssue({ code: "custom", message: problem });
  });

const knownVarsSchema = z.object({
  pg_cluster: z
    .string()
    .min(1, "expected a cluster name, got an empty string")
    .regex(SAFE_NAME, "a cluster name must not contain spaces, #, commas, quotes or control characters")
    .optional(),
  pg_role: z
    .enum(PG_ROLES, {
      error: (issue) => `invalid pg_role ${JSON.stringify(issue.input)}: use one of ${PG_ROLES.join(", ")}`,
    })
    .optional(),
  pg_seq: z
    .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)], {
      error: "expected a non-negative integer",
    })
    .optional(),
  pg_dbsu: roleName.optional(),
  pg_replication_username: roleName.optional(),
  pg_monitor_username: roleName.optional(),
  pg_admin_username: roleName.optional(),
  admin_ip: z
    .string()
    .refine((value) => isIP(value) !== 0, { error: (issue) => `${JSON.stringify(issue.input)} is not an IP address` })
    .optional(),
  node_firewall_intranet: z
    .array(
      z.string().refine((value) => parseNetwork(value) !== undefined, {
        error: (issue) => `${JSON.stringify(issue.input)} is not an IPv4/IPv6 CIDR`,
      }),
    )
    .optional(),
  pg_pwd_enc: z
    .enum(["scram-sha-256", "md5"], {
      error: (issue) => `invalid pg_pwd_enc ${JSON.stringify(issue.input)}: use scram-sha-256 or md5`,
    })
    .optional(),
  pg_offline_query: ansibleBool.optional(),
  pg_default_hba_rules: z.array(hbaRuleSpecSchema("pg")).optional(),
  pg_hba_rules: z.array(hbaRuleSpecSchema("pg")).optional(),
  pgb_default_hba_rules: z.array(hbaRuleSpecSchema("pgbouncer")).optional(),
  pgb_hba_rules: z.array(hbaRuleSpecSchema("pgbouncer")).optional(),
  pg_default_roles: z.array(roleEntrySchema).optional(),
  pg_users: z.array(roleEntrySchema).optional(),
  pg_default_privileges: z.array(defaultPrivilegeSchema).optional(),
  pg_dbsu_password: passwordInputSchema.optional(),
  pg_admin_password: passwordInputSchema.optional(),
  pg_monitor_password: passwordInputSchema.optional(),
  pg_replication_password: passwordInputSchema.optional(),
  // The names an instance answers to, for its certificates (cert issue --inventory).
  pg_vip_enabled: ansibleBool.optional(),
  pg_vip_address: z
    .string()
    .refine((value) => /^[^/]+(\/\d{1,3})?$/.test(value) && isIP(value.split("/")[0] ?? "") !== 0, {
      error: (issue) => `${JSON.stringify(issue.input)} is not an address with its prefix length, e.g. 10.10.10.2/24`,
    })
    .optional(),
  nodename: z.string().min(1, "expected a host name, got an empty string").optional(),
  // Where Ansible reaches a host: its address when the inventory names the host by name (db1: { ansible_host: 10.0.0.5 }).
  ansible_host: z.string().min(1, "expected a host name or an IP address, got an empty string").optional(),
  etcd_cluster: z
    .string()
    .min(1, "expected a cluster name, got an empty string")
    .regex(SAFE_NAME, "a cluster name must not contain spaces, #, commas, quotes or control characters")
    .optional(),
  etcd_seq: z
    .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)], {
      error: "expected a non-negative integer",
    })
    .optional(),
});

/**
 * The inventory keys pgwarden reads, each checked where it is written (global, group or host
 * vars). Every other key is kept as it is: a Pigsty inventory has hundreds pgwarden ignores.
 */
export const inventoryVarsSchema = knownVarsSchema.loose();

/** The keys whose values are lists of HBA rule objects. */
export const HBA_RULE_KEYS = [
  "pg_default_hba_rules",
  "pg_hba_rules",
  "pgb_default_hba_rules",
  "pgb_hba_rules",
] as const;
export type HbaRuleKey = (typeof HBA_RULE_KEYS)[number];

/** The keys whose values are lists of role entries. */
export const ROLE_ENTRY_KEYS = ["pg_default_roles", "pg_users"] as const;
export type RoleEntryKey = (typeof ROLE_ENTRY_KEYS)[number];

/** The keys that hold the system users' passwords (Pigsty's PASSWORD OVERWRITE in pg-init-roles.sql). */
export const PASSWORD_KEYS = [
  "pg_dbsu_password",
  "pg_admin_password",
  "pg_monitor_password",
  "pg_replication_password",
] as const;
export type PasswordKey = (typeof PASSWORD_KEYS)[number];

/**
 * The keys whose objects the loader marks with where they were written (`source`): each
 * entry of a list, or the value itself when it is a mapping (a password's `{env: NAME}`).
 */
export const LOCATED_KEYS = [...HBA_RULE_KEYS, ...ROLE_ENTRY_KEYS, ...PASSWORD_KEYS] as const;

/**
 * One vars block after validation: the known keys typed, the rest as written. Rule objects,
 * role entries and password objects carry where they were written (`source`), which the
 * loader adds.
 */
export type InventoryVars = Omit<z.output<typeof knownVarsSchema>, HbaRuleKey | RoleEntryKey | PasswordKey> & {
  readonly [K in HbaRuleKey]?: readonly HbaRuleSpec[];
} & {
  readonly [K in RoleEntryKey]?: readonly RoleEntry[];
} & { readonly [K in PasswordKey]?: PasswordInput } & { readonly [key: string]: unknown };
