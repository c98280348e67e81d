/** Rendering pg_hba.conf and pgb_hba.conf from a Pigsty inventory, as Pigsty's templates do. */
export { renderHba, type RenderOptions, type RenderTarget, type RenderedHba, type RenderedRule } from "./render.js";
export { AUTH_ALIAS_NAMES, resolveAuth, type ResolvedAuth } from "./auth.js";
export { ADDRESS_ALIASES, ADDRESS_KEYWORDS, expandAddress, literalNetwork, type AddressContext, type AddressExpansion } from "./addresses.js";
export { HBA_RULE_ROLES, isRuleActive, type HbaRuleRole, type InstanceRole } from "./role-gate.js";
export { DEFAULT_RULE_ORDER, hbaRuleSpecSchema, ruleSpecProblems, type HbaRuleSpec, type RuleProblem } from "./rule-spec.js";
export { USER_ALIASES, resolveUser, type SystemUsers } from "./users.js";
