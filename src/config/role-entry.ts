import { z } from "zod";

import { newRoleNameProblem, roleNameProblem } from "../core/role-name.js";
import { type SourceLocation } from "../core/source-location.js";
import { ansibleBool } from "./ansible-bool.js";
import { parseDefaultPrivilege } from "./default-privilege.js";

/*
 * The inventory's form of a role: one entry of pg_default_roles or pg_users, with Pigsty's
 * fields (roles/pgsql/templates/pg-user.sql). Values are validated where they are written;
 * the entry keeps the shape it was written in (a membership stays a name or an object), and
 * fields pgwarden does not read (pool_mode, pool_connlimit, ...) are kept as they are.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A schema refusing what `problem` (core/role-name.ts) finds wrong with a name. */
function nameSchema(problem: (name: string) => string | undefined) {
  return z.string().superRefine((name, context) => {
    const message = problem(name);
    if (message) context.addIssue({ code: "custom", message });
  });
}

/** A role the entry refers to (a membership): it may be PostgreSQL's own (pg_monitor). */
const roleNameSchema = nameSchema((name) => roleNameProblem(name));

/** The role the entry declares, which pgwarden makes: no `pg_` name, no reserved word. */
const newRoleNameSchema = nameSchema((name) => newRoleNameProblem(name));

/**
 * A password: plaintext or a pre-hashed `SCRAM-SHA-256$...` / `md5...` secret, or where to
 * find it (`{env: NAME}`, `{file: PATH}` relative to the inventory), so the inventory need not
 * hold it. Numbers are refused: YAML would have dropped leading zeros and the like.
 */
export const passwordInputSchema = z.union(
  [
    z.string().refine((text) => !text.includes("\0"), { error: "a password cannot contain a NUL character" }),
    z.strictObject({ env: z.string().regex(ENV_NAME) }),
    z.strictObject({ file: z.string().min(1) }),
  ],
  {
    error:
      "expected a password: a quoted string (plaintext, or a SCRAM-SHA-256$ or md5 secret), {env: NAME} or {file: PATH}",
  },
);

/** Where a password object was written (added by the inventory loader). */
export type PasswordInput =
  | string
  | { readonly env: string; readonly source?: SourceLocation }
  | { readonly file: string; readonly source?: SourceLocation };

const membershipSchema = z.union(
  [roleNameSchema, z.strictObject({ name: roleNameSchema, state: z.enum(["grant", "revoke"]).optional() })],
  {
    error: "expected a role name or {name: ROLE, state: grant|revoke}",
  },
);

const parameterValueSchema = z.union(
  [z.string(), z.number().finite(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number().finite()])).min(1)],
  {
    error: "expected a value: a string, a number, a boolean, a list, or null to reset it",
  },
);

const expireAtSchema = z
  .union(
    [
      z.date(),
      z.string().regex(ISO_DATE, {
        error: (issue) => `expected a date, YYYY-MM-DD, got string ${JSON.stringify(issue.input)}`,
      }),
    ],
    { error: "expected a date, YYYY-MM-DD" },
  )
  .transform((value) => (typeof value === "string" ? value : value.toISOString().slice(0, 10)))
  .refine(
    (value) =>
      !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
    {
      error: (issue) => `${JSON.stringify(issue.input)} is not a calendar date`,
    },
  );

const roleEntryFields = z.object({
  name: newRoleNameSchema,
  password: passwordInputSchema.nullable().optional(),
  login: ansibleBool.optional(),
  superuser: ansibleBool.optional(),
  createdb: ansibleBool.optional(),
  createrole: ansibleBool.optional(),
  inherit: ansibleBool.optional(),
  replication: ansibleBool.optional(),
  bypassrls: ansibleBool.optional(),
  connlimit: z.number().int().min(-1).nullable().optional(),
  expire_in: z.number().int().nonnegative().nullable().optional(),
  expire_at: expireAtSchema.nullable().optional(),
  roles: z.array(membershipSchema).nullable().optional(),
  parameters: z
    .record(z.string(), parameterValueSchema)
    .superRefine((parameters, context) => {
      for (const name of Object.keys(parameters)) {
        if (!PARAMETER_NAME.test(name))
          context.addIssue({
            code: "custom",
            path: [name],
            message: `${JSON.stringify(name)} is not a parameter name`,
          });
      }
    })
    .nullable()
    .optional(),
  comment: z
    .string()
    .refine((text) => !text.includes("\0"), { error: "a comment cannot contain a NUL character" })
    .nullable()
    .optional(),
  state: z
    .enum(["create", "absent"], {
      error: (issue) => `invalid state ${JSON.stringify(issue.input)}: use create or absent`,
    })
    .optional(),
  pgbouncer: ansibleBool.optional(),
});

export const roleEntrySchema = roleEntryFields.loose();

/** One entry of pg_default_roles or pg_users, validated, with the place it was written (set by the loader). */
export type RoleEntry = Omit<z.output<typeof roleEntryFields>, "password"> & {
  readonly password?: PasswordInput | null;
  readonly source?: SourceLocation;
  /** Where `password:` is written in the entry (set by the loader). */
  readonly passwordSource?: SourceLocation;
  readonly [key: string]: unknown;
};

/** A pg_default_privileges entry: checked here, kept as the string it is. */
export const defaultPrivilegeSchema = z.string().superRefine((text, context) => {
  try {
    parseDefaultPrivilege(text);
  } catch (error) {
    context.addIssue({ code: "custom", message: (error as Error).message });
  }
});
