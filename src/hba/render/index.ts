/** Rendering pg_hba.conf and pgb_hba.conf from a Pigsty inventory, as Pigsty's templates do. */
export {
  ADDRESS_ALIASES,
  ADDRESS_KEYWORDS,
  type AddressContext,
  type AddressExpansion,
  expandAddress,
  literalNetwork,
} from "./addresses.js";
export { AUTH_ALIAS_NAMES, resolveAuth, type ResolvedAuth } from "./auth.js";
export { type RenderedHba, type RenderedRule, renderHba, type RenderOptions, type RenderTarget } from "./render.js";
export { HBA_RULE_ROLES, type HbaRuleRole, type InstanceRole, isRuleActive } from "./role-gate.js";
export {
  DEFAULT_RULE_ORDER,
  type HbaRuleSpec,
  hbaRuleSpecSchema,
  type RuleProblem,
  ruleSpecProblems,
} from "./rule-spec.js";
export { resolveUser, type SystemUsers, USER_ALIASES } from "./users.js";
