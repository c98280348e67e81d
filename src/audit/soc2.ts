/**
 * The SOC 2 trust-services criteria that reference 001's compliance table maps PostgreSQL
 * security to (CC6.7, the restriction of data in transmission, beside CC6.6 which 001 uses for
 * transmission encryption). An audit check names the controls its finding bears on.
 */
export const SOC2_CONTROLS = ["CC6.1", "CC6.6", "CC6.7", "CC7.2", "CC9.1", "A1.2"] as const;
export type Soc2Control = (typeof SOC2_CONTROLS)[number];

/** Each control's name and what, in a PostgreSQL fleet, meets it (001's "Description" column, completed). */
export const SOC2_TITLES: Readonly<Record<Soc2Control, { readonly title: string; readonly meansHere: string }>> = {
  "CC6.1": { title: "Logical access control", meansHere: "HBA rules, authentication methods, the role system" },
  "CC6.6": { title: "Transmission encryption", meansHere: "SSL/TLS on every connection from outside the host" },
  "CC6.7": {
    title: "Restriction of data in transmission",
    meansHere: "certificates that are valid, strong and verified by clients; revocation",
  },
  "CC7.2": { title: "System monitoring", meansHere: "connection, statement and replication logging; audit logs" },
  "CC9.1": { title: "Business continuity", meansHere: "replicas, a consensus store of odd size, data checksums" },
  "A1.2": { title: "Data recovery", meansHere: "WAL archiving and encrypted backups" },
};
