import type { FileCheck } from "../lint-rule.js";
import { shadowingOf } from "../shadow.js";

const where = (source: { file: string; line: number }) => `${source.file}:${source.line}`;

export const shadowedRule: FileCheck = {
  id: "shadowed-rule",
  severity: "medium",
  title: "rule no connection can reach",
  why: "PostgreSQL uses the first rule that matches; a rule after one that always matches first is dead, and whatever it was meant to allow or refuse does not happen.",
  checkAll: (rules) =>
    shadowingOf(rules)
      .filter((shadow) => !shadow.duplicate)
      .map((shadow) => ({
        id: "shadowed-rule",
        severity: "medium" as const,
        source: shadow.rule.source,
        rule: shadow.rule.text,
        message: `never reached: ${where(shadow.by.source)} (${shadow.by.text.trim()}) always matches first`,
        why: shadowedRule.why,
        fix: "move this rule above the one that shadows it, or delete it",
      })),
};

export const duplicateRule: FileCheck = {
  id: "duplicate-rule",
  severity: "low",
  title: "duplicate rule",
  why: "a second copy of a rule is never reached; it only makes the file harder to read and review.",
  checkAll: (rules) =>
    shadowingOf(rules)
      .filter((shadow) => shadow.duplicate)
      .map((shadow) => ({
        id: "duplicate-rule",
        severity: "low" as const,
        source: shadow.rule.source,
        rule: shadow.rule.text,
        message: `same rule as ${where(shadow.by.source)}`,
        why: duplicateRule.why,
        fix: "delete the copy",
      })),
};
