import { type AuditCheck } from "../../audit-check.js";
import { appRoleAttributes } from "./app-role-attributes.js";
import { dangerousPredefinedMembers } from "./dangerous-predefined-members.js";
import { databasesNotExamined } from "./databases-not-examined.js";
import { manyLoginSuperusers } from "./many-login-superusers.js";
import { noReplicationUser } from "./no-replication-user.js";
import { publicSchemaCreate } from "./public-schema-create.js";
import { publicTablePrivileges } from "./public-table-privileges.js";
import { rlsPoliciesUnenforced } from "./rls-policies-unenforced.js";
import { securityDefinerPublic } from "./security-definer-public.js";
import { untrustedLanguages } from "./untrusted-languages.js";

/** Roles and privileges: who holds more than their job needs, and what every role may do (the access-control layer). */
export const ROLES_CHECKS: readonly AuditCheck[] = [
  manyLoginSuperusers,
  appRoleAttributes,
  dangerousPredefinedMembers,
  noReplicationUser,
  publicSchemaCreate,
  securityDefinerPublic,
  untrustedLanguages,
  publicTablePrivileges,
  rlsPoliciesUnenforced,
  databasesNotExamined,
];
