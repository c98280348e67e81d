/** Rendering pg_hba.conf and pgb_hba.conf from a Pigsty inventory, as Pigsty's templates do. */
export {
  ADDRESS_ALIASES,
  ADDRESS_KEYWORDS,
  type AddressContext,
  type AddressExpansion,
  expandAddress,
  literalNetwork,
} from "../../config/hba-rules/addresses.js";
export { AUTH_ALIAS_NAMES, resolveAuth, type ResolvedAuth } from "../../config/hba-rules/auth.js";
export { HBA_RULE_ROLES, type HbaRuleRole, type InstanceRole, isRuleActive } from "../../config/hba-rules/role-gate.js";
export {
  DEFAULT_RULE_ORDER,
  type HbaRuleSpec,
  hbaRuleSpecSchema,
  type RuleProblem,
  ruleSpecProblems,
} from "../../config/hba-rules/rule-spec.js";
export { resolveUser, type SystemUsers, USER_ALIASES } from "../../config/hba-rules/users.js";
export { type RenderedHba, type RenderedRule, renderHba, type RenderOptions, type RenderTarget } from "./render.js";
