import { usageError } from "../../core/errors.js";

/** Certificate profiles: what a certificate may be used for comes from here, never from a CSR. */
export const PROFILE_NAMES = ["server", "client", "peer"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export const EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
export const EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

export interface Profile {
  readonly name: ProfileName;
  /** What the certificate is for, one line for help and listings. */
  readonly summary: string;
  /** Extended key usage OIDs. */
  readonly extendedKeyUsage: readonly string[];
  /** The certificate must name hosts (at least one SAN; the CN is used when none is given). */
  readonly needsHostNames: boolean;
  /** The CN is a PostgreSQL role name (client certificates for `cert` authentication). */
  readonly cnIsRole: boolean;
}

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  server: {
    name: "server",
    summary: "a PostgreSQL, pgbouncer or web server; SANs are its host names and addresses",
    extendedKeyUsage: [EKU_SERVER_AUTH],
    needsHostNames: true,
    cnIsRole: false,
  },
  client: {
    name: "client",
    summary: "a database user logging in with `cert` auth; the CN is the role name",
    extendedKeyUsage: [EKU_CLIENT_AUTH],
    needsHostNames: false,
    cnIsRole: true,
  },
  peer: {
    name: "peer",
    summary: "a member talking both ways (etcd, Patroni): server and client",
    extendedKeyUsage: [EKU_SERVER_AUTH, EKU_CLIENT_AUTH],
    needsHostNames: true,
    cnIsRole: false,
  },
};

export function parseProfile(value: string): Profile {
  const profile = (PROFILES as Record<string, Profile | undefined>)[value];
  if (!profile) throw usageError("bad-profile", `unknown profile "${value}": use one of ${PROFILE_NAMES.join(", ")}`);
  return profile;
}
