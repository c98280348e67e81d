import { usageError } from "../core/errors.js";

/*
 * The password policy applied to every plaintext password pgwarden is given, before
 * anything reaches a server. The first three checks are PostgreSQL's `passwordcheck`
 * module's (contrib/passwordcheck); the others are stricter options.
 */

/** passwordcheck's MIN_PWD_LENGTH. */
export const DEFAULT_MIN_PASSWORD_LENGTH = 8;
/** A sanity bound for the shortest length asked for, in characters (--min-length's too). */
export const MAX_MIN_PASSWORD_LENGTH = 1024;

export const CHARACTER_CLASSES = ["lower", "upper", "digit", "symbol"] as const;
export type CharacterClass = (typeof CHARACTER_CLASSES)[number];

export interface PasswordPolicy {
  /** Default {@link DEFAULT_MIN_PASSWORD_LENGTH}, counted in characters (code points). */
  readonly minLength?: number;
  /** Classes every password must contain, e.g. ["lower", "upper", "digit"]. Default none beyond passwordcheck's letters and non-letters. */
  readonly requiredClasses?: readonly CharacterClass[];
  /** Passwords refused outright, compared case-insensitively (vendor defaults, leaked lists). */
  readonly denylist?: ReadonlySet<string>;
}

export interface PasswordViolation {
  /** Stable id, e.g. `too-short`. */
  readonly id: string;
  /** What is wrong, never quoting the password. */
  readonly message: string;
}

interface PolicyCheck {
  readonly id: string;
  check(password: string, roleName: string, policy: PasswordPolicy): string | undefined;
}

const classOf = (char: string): CharacterClass => {
  if (/\p{Ll}/u.test(char)) return "lower";
  if (/\p{Lu}/u.test(char)) return "upper";
  if (/\p{Nd}/u.test(char)) return "digit";
  return "symbol";
};

const POLICY_CHECKS: readonly PolicyCheck[] = [
  {
    id: "too-short",
    check: (password, _role, policy) => {
      const min = policy.minLength ?? DEFAULT_MIN_PASSWORD_LENGTH;
      return [...password].length < min ? `is shorter than ${min} characters` : undefined;
    },
  },
  {
    id: "contains-role-name",
    check: (password, role) =>
      role.length > 0 && password.toLowerCase().includes(role.toLowerCase()) ? "contains the role name" : undefined,
  },
  {
    id: "letters-and-non-letters",
    check: (password) => {
      const letters = [...password].filter((char) => /\p{L}/u.test(char)).length;
      return letters === 0 || letters === [...password].length
        ? "must contain both letters and non-letters"
        : undefined;
    },
  },
  {
    id: "missing-character-class",
    check: (password, _role, policy) => {
      const present = new Set([...password].map(classOf));
      const missing = (policy.requiredClasses ?? []).filter((wanted) => !present.has(wanted));
      return missing.length > 0 ? `has no ${missing.join(", no ")} character` : undefined;
    },
  },
  {
    id: "denylisted",
    check: (password, _role, policy) =>
      policy.denylist?.has(password.toLowerCase()) ? "is on the denylist of known or default passwords" : undefined,
  },
];

/** Every way `password` breaks `policy` for `roleName`; empty when it passes. */
export function passwordViolations(
  password: string,
  roleName: string,
  policy: PasswordPolicy = {},
): PasswordViolation[] {
  checkPolicy(policy);
  return POLICY_CHECKS.flatMap((check) => {
    const message = check.check(password, roleName, policy);
    return message === undefined ? [] : [{ id: check.id, message }];
  });
}

/** One of CHARACTER_CLASSES: the one test of a class name, for the flag and for a library caller's policy. */
export function isCharacterClass(word: string): word is CharacterClass {
  return (CHARACTER_CLASSES as readonly string[]).includes(word);
}

/**
 * A policy from a library caller is held to what the flags allow: a minimum length of
 * DEFAULT_MIN_PASSWORD_LENGTH to MAX_MIN_PASSWORD_LENGTH characters (NaN or 0 would turn the
 * length check off) and only known character classes.
 */
export function checkPolicy(policy: PasswordPolicy): void {
  const { minLength, requiredClasses } = policy;
  if (
    minLength !== undefined &&
    !(Number.isInteger(minLength) && minLength >= DEFAULT_MIN_PASSWORD_LENGTH && minLength <= MAX_MIN_PASSWORD_LENGTH)
  )
    throw usageError(
      "bad-min-length",
      `minLength must be a whole number from ${DEFAULT_MIN_PASSWORD_LENGTH} to ${MAX_MIN_PASSWORD_LENGTH}, not ${String(minLength)}`,
    );
  const unknown = (requiredClasses ?? []).filter((each) => !isCharacterClass(each));
  if (unknown.length > 0)
    throw usageError(
      "bad-flag",
      `requiredClasses takes ${CHARACTER_CLASSES.join(", ")}, not ${unknown.map((each) => JSON.stringify(each)).join(", ")}`,
    );
}
