import { quoteIdentifier, quoteLiteral } from "../../../core/identifier.js";
import { type AuditCheck } from "../../audit-check.js";
import { type DeclaredExpiry, declaredExpiryFact } from "../../facts/password-declared-expiry.js";
import { rolesFact } from "../../facts/roles.js";

const DAY_MS = 86_400_000;

/** Login roles the inventory asks to expire (expire_in, expire_at) whose password never does on the server. */
export const noExpiry: AuditCheck = {
  id: "passwords/no-expiry",
  title: "Password never expires though the inventory says it should",
  layer: "authentication",
  severity: "medium",
  soc2: ["CC6.1"],
  scope: "server",
  why: "The inventory gives the role an expiry (expire_in or expire_at, Pigsty's way of forcing rotation for compliance) but the server has no VALID UNTIL for it: the password is never rotated, and a leaked one stays valid for ever.",
  fix: "pgwarden role apply --inventory FILE --cluster NAME (sets VALID UNTIL as the inventory says), or ALTER ROLE <role> VALID UNTIL '<date>';",
  facts: [rolesFact, declaredExpiryFact],
  run(context) {
    const declared = new Map(context.fact(declaredExpiryFact).map((entry) => [entry.role, entry]));
    return context.fact(rolesFact).flatMap((role) => {
      const asked = declared.get(role.name);
      if (!role.login || role.validUntil !== null || asked === undefined) return [];
      return [
        {
          subject: role.name,
          message: `login role ${role.name} has no VALID UNTIL, though the inventory gives it ${expiryText(asked)}`,
          evidence: [
            { label: `role ${role.name}`, value: "LOGIN, VALID UNTIL none (never expires)" },
            {
              label: "inventory",
              value: expiryText(asked),
              ...(asked.source ? { source: asked.source } : {}),
            },
          ],
          fix: `ALTER ROLE ${quoteIdentifier(role.name)} VALID UNTIL ${quoteLiteral(validUntil(asked, context.now))}; -- or pgwarden role apply with the inventory`,
        },
      ];
    });
  },
};

function expiryText(entry: DeclaredExpiry): string {
  return "inDays" in entry.expiry ? `expire_in: ${entry.expiry.inDays}` : `expire_at: ${entry.expiry.at}`;
}

/** The VALID UNTIL the inventory means, as Pigsty computes it: today plus expire_in days, or expire_at. */
function validUntil(entry: DeclaredExpiry, now: Date): string {
  if ("at" in entry.expiry) return entry.expiry.at;
  return new Date(now.getTime() + entry.expiry.inDays * DAY_MS).toISOString().slice(0, 10);
}
