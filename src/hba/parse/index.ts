export { FIRST_MAJOR_WITH_HBA_REGEX_AND_INCLUDES, parseHbaFile, parseHbaText, type ParseOptions } from "./parse-hba.js";
export { AUTH_METHODS } from "./rule.js";
