/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
export const MAX_ROLE_NAME_BYTES = 63;
