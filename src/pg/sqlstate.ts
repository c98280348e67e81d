/** PostgreSQL's SQLSTATE for a missing privilege (42501), as node-postgres reports it in `error.code`. */
export const INSUFFICIENT_PRIVILEGE = "42501";
