/*
 * One entry of pg_default_privileges, Pigsty's format: the tail of an
 * `ALTER DEFAULT PRIVILEGES FOR ROLE <owner> ...` statement, such as
 * `GRANT SELECT ON TABLES TO dbrole_readonly`. Pigsty runs each entry for the dbsu, the
 * admin user and dbrole_admin (roles/pgsql/templates/pg-init-template.sql).
 */

/** The object kinds ALTER DEFAULT PRIVILEGES covers, with the letter pg_default_acl.defaclobjtype uses. */
export const DEFAULT_ACL_OBJECT_TYPES = {
  TABLES: "r",
  SEQUENCES: "S",
  FUNCTIONS: "f",
  TYPES: "T",
  SCHEMAS: "n",
} as const;
export type DefaultAclObjects = keyof typeof DEFAULT_ACL_OBJECT_TYPES;
export type DefaultAclObjectType = (typeof DEFAULT_ACL_OBJECT_TYPES)[DefaultAclObjects];

/** The privileges each kind has (PostgreSQL 15), as aclexplode names them; ALL means these. */
export const PRIVILEGES_OF: Readonly<Record<DefaultAclObjects, readonly string[]>> = {
  TABLES: ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"],
  SEQUENCES: ["USAGE", "SELECT", "UPDATE"],
  FUNCTIONS: ["EXECUTE"],
  TYPES: ["USAGE"],
  SCHEMAS: ["USAGE", "CREATE"],
};

export interface DefaultPrivilege {
  readonly action: "grant" | "revoke";
  readonly privileges: readonly string[];
  readonly objects: DefaultAclObjects;
  /** Role names, or null for PUBLIC. */
  readonly grantees: readonly (string | null)[];
  /** The entry as written. */
  readonly text: string;
}

const STATEMENT =
  /^\s*(GRANT|REVOKE)\s+(.+?)\s+ON\s+(TABLES|SEQUENCES|FUNCTIONS|ROUTINES|TYPES|SCHEMAS)\s+(TO|FROM)\s+(.+?)\s*;?\s*$/is;
const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const QUOTED_NAME = /^"((?:[^"]|"")+)"$/;

/** A grantee as PostgreSQL reads it: a bare name folds to lower case, a quoted one is kept; PUBLIC is null. */
function grantee(token: string): string | null {
  const quoted = QUOTED_NAME.exec(token);
  if (quoted) return (quoted[1] as string).replace(/""/g, '"');
  if (!BARE_NAME.test(token))
    throw new Error(
      `${JSON.stringify(token)} is not a role name (quote it as "Name" for capitals or other characters)`,
    );
  return token.toLowerCase() === "public" ? null : token.toLowerCase();
}

/** Splits at commas outside double quotes. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === "," && !quoted) {
      parts.push(current.trim());
      current = "";
    } else current += char;
  }
  parts.push(current.trim());
  return parts;
}

/** Parses one entry; throws an Error whose message says what is wrong (the schema reports it with file:line). */
export function parseDefaultPrivilege(text: string): DefaultPrivilege {
  const match = STATEMENT.exec(text);
  if (!match)
    throw new Error(
      "expected GRANT <privileges> ON TABLES|SEQUENCES|FUNCTIONS|TYPES|SCHEMAS TO <role>, or REVOKE ... FROM <role>",
    );
  const [, verb, privilegeList, objectWord, preposition, granteeList] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const action = verb.toUpperCase() === "GRANT" ? "grant" : "revoke";
  if ((action === "grant") !== (preposition.toUpperCase() === "TO"))
    throw new Error(action === "grant" ? "GRANT takes TO <role>" : "REVOKE takes FROM <role>");
  const objectsWord = objectWord.toUpperCase();
  const objects = (objectsWord === "ROUTINES" ? "FUNCTIONS" : objectsWord) as DefaultAclObjects;
  const allowed = PRIVILEGES_OF[objects];
  const words = splitList(privilegeList).map((word) => word.toUpperCase().replace(/\s+/g, " "));
  const privileges = words.length === 1 && /^ALL( PRIVILEGES)?$/.test(words[0] as string) ? [...allowed] : words;
  for (const privilege of privileges) {
    if (!allowed.includes(privilege))
      throw new Error(`${privilege} is not a privilege on ${objects.toLowerCase()}: use ${allowed.join(", ")} or ALL`);
  }
  const grantees = splitList(granteeList).map(grantee);
  return { action, privileges: [...new Set(privileges)], objects, grantees, text: text.trim() };
}
