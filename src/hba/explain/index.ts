/** Explaining access rules: which line PostgreSQL uses for a connection, what it demands, and the verdict. */
export { authenticationOutcome, type Access, type AuthenticationOutcome } from "./authentication.js";
export { explainConnection, type ConnectionExplanation, type ExplainOptions, type MatchedRule, type UndecidedMatch } from "./explain-connection.js";
export { inventoryMemberships } from "../inventory-superusers.js";
export { APP_USER, DEFAULT_MATRIX_DATABASE, explainMatrix, INTRANET_SAMPLE_ADDRESS, WORLD_SAMPLE_ADDRESS, type HbaMatrix, type MatrixCell, type MatrixNetwork, type MatrixOptions, type MatrixRole, type MatrixRow } from "./matrix.js";
export { readServerFacts, type ServerFactsForRole } from "./server-facts.js";
