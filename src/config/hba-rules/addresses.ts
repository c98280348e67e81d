import { isIP } from "node:net";

import { parseNetwork } from "../../core/address.js";
import { compareText } from "../../core/text.js";

/**
 * Pigsty's `addr` aliases (roles/pgsql/templates/pg_hba.conf): `local` is the Unix socket;
 * `localhost` is the socket plus 127.0.0.1/32 and ::1/128; `admin` is admin_ip/32; `infra`
 * every host of the `infra` group, sorted; `cluster` the cluster's members, sorted;
 * `intra`/`intranet` node_firewall_intranet; `world`/`all` 0.0.0.0/0 and ::/0.
 */
export const ADDRESS_ALIASES = [
  "local",
  "localhost",
  "admin",
  "infra",
  "cluster",
  "intra",
  "intranet",
  "world",
  "all",
] as const;

/** PostgreSQL's own address keywords, which pgwarden passes through (Pigsty does not accept them). */
export const ADDRESS_KEYWORDS = ["samehost", "samenet"] as const;

const LOOPBACK_NETWORKS = ["127.0.0.1/32", "::1/128"] as const;
const WORLD_NETWORKS = ["0.0.0.0/0", "::/0"] as const;

/** What the aliases expand to for one instance. */
export interface AddressContext {
  readonly adminIp?: string;
  /** Hosts of the `infra` group, in the inventory's order. */
  readonly infraHosts: readonly string[];
  /** The cluster's members (Pigsty's pg_cluster_members, already sorted). */
  readonly clusterMembers: readonly string[];
  readonly intranet: readonly string[];
}

/** `local` has only socket lines; `localhost` has a socket line and loopback host lines; the rest are TCP networks. */
export type AddressExpansion =
  | { readonly kind: "local" }
  | { readonly kind: "localhost"; readonly loopback: readonly string[] }
  | { readonly kind: "network"; readonly addresses: readonly string[] };

/**
 * A literal address as PostgreSQL takes it: a CIDR as written, a bare address as a host
 * network (/32, /128). Pigsty writes a bare address as it is, which PostgreSQL refuses
 * (it then wants a separate netmask column), so pgwarden completes it.
 */
export function literalNetwork(text: string): string | undefined {
  if (!parseNetwork(text)) return undefined;
  if (text.includes("/")) return text;
  return `${text}/${isIP(text) === 6 ? 128 : 32}`;
}

/** Why an `addr` value can never expand, or undefined when it can (aliases, keywords, IPv4/IPv6 addresses and CIDRs). */
export function addressProblem(addr: string): string | undefined {
  if ((ADDRESS_ALIASES as readonly string[]).includes(addr) || (ADDRESS_KEYWORDS as readonly string[]).includes(addr))
    return undefined;
  if (literalNetwork(addr)) return undefined;
  return `invalid addr ${JSON.stringify(addr)}: use an alias (${ADDRESS_ALIASES.join(", ")}), samehost, samenet, or an IPv4/IPv6 address or CIDR`;
}

function hostNetwork(host: string, what: string): string {
  const family = isIP(host);
  if (family === 0)
    throw new AddressError(
      `${what} ${JSON.stringify(host)} is not an IP address, so it cannot be written as a network`,
    );
  return `${host}/${family === 6 ? 128 : 32}`;
}

/** An alias that cannot be expanded with what the inventory gives. */
export class AddressError extends Error {}

/** Expands one `addr` value; throws {@link AddressError} when the inventory lacks what the alias needs. */
export function expandAddress(addr: string, context: AddressContext): AddressExpansion {
  switch (addr) {
    case "local":
      return { kind: "local" };
    case "localhost":
      return { kind: "localhost", loopback: LOOPBACK_NETWORKS };
    case "admin":
      if (context.adminIp === undefined) throw new AddressError("addr admin needs admin_ip in the inventory");
      return { kind: "network", addresses: [hostNetwork(context.adminIp, "admin_ip")] };
    case "infra":
      // Jinja's `sort` on strings: code-point order, so 10.0.0.10 sorts before 10.0.0.9.
      return {
        kind: "network",
        addresses: [...context.infraHosts].sort(compareText).map((host) => hostNetwork(host, "infra host")),
      };
    case "cluster":
      return { kind: "network", addresses: context.clusterMembers.map((host) => hostNetwork(host, "cluster member")) };
    case "intra":
    case "intranet":
      return { kind: "network", addresses: context.intranet.map((network) => literalNetwork(network) ?? network) };
    case "world":
    case "all":
      return { kind: "network", addresses: WORLD_NETWORKS };
    case "samehost":
    case "samenet":
      return { kind: "network", addresses: [addr] };
    default: {
      const network = literalNetwork(addr);
      if (!network) throw new AddressError(addressProblem(addr) ?? `invalid addr ${JSON.stringify(addr)}`);
      return { kind: "network", addresses: [network] };
    }
  }
}
