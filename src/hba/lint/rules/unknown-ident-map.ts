import type { RuleCheck } from "../lint-rule.js";

export const unknownIdentMap: RuleCheck = {
  id: "unknown-ident-map",
  severity: "high",
  title: "map= names a map pg_ident.conf lacks",
  why: "a missing user-name map makes every login through this rule fail, or maps no one the way you intended.",
  check: (rule, context) => {
    const map = rule.options.map;
    if (map === undefined || context.identMaps === undefined || context.identMaps.includes(map)) return undefined;
    return {
      message: `map=${map} is not defined in pg_ident.conf`,
      fix: `add the map "${map}" to pg_ident.conf, or fix the name`,
    };
  },
};
