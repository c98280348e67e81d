import type { RuleCheck } from "../lint-rule.js";

export const identOverTcp: RuleCheck = {
  id: "ident-over-tcp",
  severity: "medium",
  title: "ident authentication over TCP",
  why: "ident over TCP trusts whatever the client host's identd answers: any machine that runs its own identd can claim any user name.",
  check: (rule) =>
    rule.type !== "local" && rule.method === "ident"
      ? {
          message: `ident from ${rule.address}`,
          fix: "use peer on local connections, and cert or scram-sha-256 over hostssl for TCP",
        }
      : undefined,
};
