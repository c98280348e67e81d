import { type SourceLocation } from "../../core/source-location.js";
import { type Fact, FactUnavailable } from "../fact.js";

/** One run-time parameter as the server has it now. */
export interface Setting {
  readonly name: string;
  /** pg_settings.setting: in the unit below, `on`/`off` for booleans. */
  readonly value: string;
  readonly unit?: string;
  /** Where the value comes from: default, configuration file, override, command line... */
  readonly source: string;
  /** The file and line that set it (visible to superusers and pg_read_all_settings). */
  readonly file?: SourceLocation;
  /** Changed in a file, waiting for a restart. */
  readonly pendingRestart: boolean;
}

/** The server's settings by name, with the file and line of each (pg_settings). */
export type Settings = ReadonlyMap<string, Setting>;

interface SettingRow {
  readonly name: string;
  readonly setting: string | null;
  readonly unit: string | null;
  readonly source: string;
  readonly sourcefile: string | null;
  readonly sourceline: number | null;
  readonly pending_restart: boolean;
}

/**
 * pg_settings: every parameter's value, unit and source. Readable by anyone, but the file
 * and line of each, and the superuser-only parameters (data_directory, ssl file paths...),
 * only by superusers and members of pg_read_all_settings (which pg_monitor includes).
 */
export const settingsFact: Fact<Settings> = {
  id: "settings",
  scope: "server",
  async collect(source) {
    const privileged = await source.client.query<{ allowed: boolean }>(
      "SELECT pg_catalog.pg_has_role(current_user, 'pg_read_all_settings', 'USAGE') AS allowed",
    );
    if (!privileged.rows[0]?.allowed)
      throw new FactUnavailable({
        kind: "privilege",
        reason: "the settings' files and the superuser-only settings are hidden from this role",
        grant: "GRANT pg_read_all_settings TO <auditor> (or pg_monitor)",
      });
    const rows = await source.client.query<SettingRow>(
      "SELECT name, setting, unit, source, sourcefile, sourceline, pending_restart FROM pg_catalog.pg_settings",
    );
    return new Map(
      rows.rows.map((row) => [
        row.name,
        {
          name: row.name,
          value: row.setting ?? "",
          ...(row.unit === null ? {} : { unit: row.unit }),
          source: row.source,
          ...(row.sourcefile === null || row.sourceline === null
            ? {}
            : { file: { file: row.sourcefile, line: row.sourceline } }),
          pendingRestart: row.pending_restart,
        },
      ]),
    );
  },
};

/** A setting's value, or undefined when the server has no such parameter (an older version, a module not loaded). */
export function settingValue(settings: Settings, name: string): string | undefined {
  return settings.get(name)?.value;
}

/** The evidence line for a setting: its value and where it is set (or that it is the default). */
export function settingEvidence(
  settings: Settings,
  name: string,
): {
  readonly label: string;
  readonly value: string;
  readonly source?: SourceLocation;
} {
  const setting = settings.get(name);
  if (!setting) return { label: `setting ${name}`, value: "(not a parameter of this server)" };
  const shown = setting.unit && !/^[0-9]/.test(setting.unit) ? `${setting.value}${setting.unit}` : setting.value;
  return {
    label: `setting ${name}`,
    value: `${shown === "" ? "''" : shown} (${setting.source})`,
    ...(setting.file ? { source: setting.file } : {}),
  };
}
