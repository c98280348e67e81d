import { type AuditCheck } from "../audit-check.js";
import { settingEvidence, type Settings, settingsFact, settingValue } from "../facts/settings.js";

/** What a check of one setting says about itself, the setting it reads and when its value is weak. */
export interface SettingCheckSpec extends Pick<
  AuditCheck,
  "id" | "title" | "layer" | "severity" | "soc2" | "cis" | "why" | "fix"
> {
  /** The pg_settings name: the finding's subject and its one evidence line. */
  readonly setting: string;
  /** Whether the value (pg_settings.setting) is weak; `settings` for a judgement that depends on another setting. */
  readonly isWeak: (value: string, settings: Settings) => boolean;
  /** The finding's message for a weak value. */
  readonly message: (value: string, settings: Settings) => string;
  /** Other settings the judgement relied on, shown as evidence after the setting's own line. */
  readonly shownWith?: readonly string[];
}

/**
 * A check of one setting: when the server has the parameter and its value is weak, one finding
 * with the setting as subject and its value and file:line as evidence (then those of `shownWith`);
 * a server without the parameter (an older version, a module not loaded) is not judged.
 */
export function settingCheck(spec: SettingCheckSpec): AuditCheck {
  const { setting, isWeak, message, shownWith = [], ...about } = spec;
  return {
    ...about,
    scope: "server",
    facts: [settingsFact],
    run(context) {
      const settings = context.fact(settingsFact);
      const value = settingValue(settings, setting);
      if (value === undefined || !isWeak(value, settings)) return [];
      const evidence = [setting, ...shownWith].map((name) => settingEvidence(settings, name));
      return [{ subject: setting, message: message(value, settings), evidence }];
    },
  };
}
