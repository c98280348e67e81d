export { parseHbaFile, parseHbaText, type ParseOptions } from "./parse-hba.js";
export { AUTH_METHODS } from "./rule.js";
