import { isIP } from "node:net";

import { usageError } from "../../core/errors.js";

/**
 * Where a connection comes from, as hba explain's --addr and the library's `connection.address` take it: an IPv4
 * or IPv6 address, or `local` for the unix socket. Anything else would match no line and read as a verdict: a usage
 * error (exit 2) naming `name`, the flag or field it came from.
 */
export function checkConnectionAddress(address: unknown, name: string): void {
  if (address === "local" || (typeof address === "string" && isIP(address) !== 0)) return;
  throw usageError(
    "explain-addr",
    `${name} must be an IPv4 or IPv6 address, or local for the unix socket, got ${JSON.stringify(address)}`,
  );
}
