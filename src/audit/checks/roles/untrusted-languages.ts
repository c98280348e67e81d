import { quoteIdentifier } from "../../../core/identifier.js";
import { type AuditCheck } from "../../audit-check.js";
import { databaseCatalogFact, type UntrustedLanguage } from "../../facts/database-catalog.js";
import { inDatabaseFix, routineName } from "./sql-names.js";

/**
 * An untrusted procedural language (plperlu, plpython3u, pltclu...) installed in a database;
 * high when functions written in it may be executed by PUBLIC, so by any role.
 */
export const untrustedLanguages: AuditCheck = {
  id: "roles/untrusted-languages",
  title: "Untrusted procedural language installed",
  layer: "access-control",
  severity: "medium",
  soc2: ["CC6.1"],
  cis: "1.8",
  scope: "server",
  why:
    "Code in an untrusted language runs unrestricted as the server's OS user: it reads the data directory " +
    "and the server's key, opens network connections, runs programs. Only superusers may write it, but " +
    "every function written in it that others may execute hands them that power.",
  fix: "DROP EXTENSION <language>; (or DROP LANGUAGE), after revoking EXECUTE from PUBLIC on its functions and rewriting them in a trusted language",
  facts: [databaseCatalogFact],
  run(context) {
    return context.fact(databaseCatalogFact).seen.flatMap(({ database, value }) =>
      value.untrustedLanguages.map((language) => {
        const usable = language.publicFunctions.length > 0;
        return {
          subject: `${database}: ${language.name}`,
          message:
            `untrusted language ${language.name} is installed in database ${database}` +
            (usable ? ` and PUBLIC may execute ${language.publicFunctions.length} function(s) written in it` : ""),
          severity: usable ? ("high" as const) : ("medium" as const),
          evidence: [
            {
              label: `language ${language.name} in database ${database}`,
              value:
                `untrusted (lanpltrusted false), owner ${language.owner}` +
                (language.extension === null ? "" : `, extension ${language.extension}`) +
                `, ${language.functions} function(s) written in it`,
            },
            ...language.publicFunctions.map((routine) => ({
              label: `function ${routineName(routine)}`,
              value: `EXECUTE granted to PUBLIC, owner ${routine.owner}`,
            })),
          ],
          fix: inDatabaseFix(database, languageFix(language)),
        };
      }),
    );
  },
};

function languageFix(language: UntrustedLanguage): string[] {
  const drop =
    language.extension === null
      ? `DROP LANGUAGE ${quoteIdentifier(language.name)};`
      : `DROP EXTENSION ${quoteIdentifier(language.extension)};`;
  if (language.functions === 0) return [drop];
  return [
    ...language.publicFunctions.map((routine) => `REVOKE EXECUTE ON ROUTINE ${routineName(routine)} FROM PUBLIC;`),
    `-- then, once its ${language.functions} function(s) are rewritten in a trusted language or dropped: ${drop}`,
  ];
}
