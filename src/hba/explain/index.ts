/** Explaining access rules: which line PostgreSQL uses for a connection, what it demands, and the verdict. */
export { inventoryMemberships } from "../inventory-superusers.js";
export { type Access, type AuthenticationOutcome, authenticationOutcome } from "./authentication.js";
export {
  type ConnectionExplanation,
  explainConnection,
  type ExplainOptions,
  type MatchedRule,
  type UndecidedMatch,
} from "./explain-connection.js";
export {
  APP_USER,
  DEFAULT_MATRIX_DATABASE,
  explainMatrix,
  type HbaMatrix,
  INTRANET_SAMPLE_ADDRESS,
  type MatrixCell,
  type MatrixNetwork,
  type MatrixOptions,
  type MatrixRole,
  type MatrixRow,
  WORLD_SAMPLE_ADDRESS,
} from "./matrix.js";
export { readServerFacts, type ServerFactsForRole } from "./server-facts.js";
