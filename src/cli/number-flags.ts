import { usageError } from "../core/errors.js";

/**
 * How every number a flag takes is read: plain ASCII decimal digits, nothing else. `Number()`
 * and `parseInt` would also take `0x1538`, `5e3`, `+5`, ` 5` or other scripts' digits, each
 * command a different subset; here one rule and one wording refuse them all (exit 2).
 */
const DIGITS = /^[0-9]+$/;

/** A whole-number flag: its name, its range, and the error code a script can match. */
export interface IntegerFlagSpec {
  /** The flag as typed, named in the error (`--port`). */
  readonly flag: string;
  readonly min: number;
  readonly max: number;
  /** The stable code of the usage error (`bad-port`). */
  readonly code: string;
  /** What the number is, when the flag's name does not say it (`a TCP port`). */
  readonly what?: string;
}

/** The range as help text shows it: `a whole number from 1 to 65535`. */
export function integerRangeText(spec: IntegerFlagSpec): string {
  return `a whole number from ${spec.min} to ${spec.max}`;
}

/** A commander argParser for a whole number in `spec`'s range; anything else is a usage error naming the flag. */
export function integerFlag(spec: IntegerFlagSpec): (text: string) => number {
  return (text: string) => {
    const value = DIGITS.test(text) ? Number(text) : Number.NaN;
    if (!(value >= spec.min && value <= spec.max))
      throw usageError(
        spec.code,
        `${spec.flag} must be ${spec.what === undefined ? "" : `${spec.what}, `}${integerRangeText(spec)}, not ${JSON.stringify(text)}`,
      );
    return value;
  };
}

const MAX_PORT = 65535;

/** A TCP port: 1 to 65535. */
export const portFlag = (flag = "--port") =>
  integerFlag({ flag, min: 1, max: MAX_PORT, code: "bad-port", what: "a TCP port" });

const MS_PER_HOUR = 3_600_000;
const DURATION_UNIT_MS = { h: MS_PER_HOUR, d: 24 * MS_PER_HOUR, w: 7 * 24 * MS_PER_HOUR } as const;
const DURATION = /^([0-9]+)([hdw])$/;

/** A commander argParser for a duration such as `30d`, `12h` or `2w` (whole hours, days or weeks), in milliseconds. */
export function durationFlag(flag: string): (text: string) => number {
  return (text: string) => {
    const match = DURATION.exec(text);
    if (match === null)
      throw usageError(
        "bad-duration",
        `${flag} must be a duration, a whole number then h, d or w (12h, 30d, 2w), not ${JSON.stringify(text)}`,
      );
    return Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS];
  };
}
