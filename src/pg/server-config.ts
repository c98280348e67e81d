import { readFile } from "node:fs/promises";

/** The file pgwarden owns next to postgresql.conf; the user's file only gets one include line. */
export const PGWARDEN_CONF = "pgwarden.conf";
export const INCLUDE_LINE = `include_if_exists = '${PGWARDEN_CONF}'\t# added by pgwarden: its settings live in ${PGWARDEN_CONF}`;

const INCLUDE_PATTERN = new RegExp(`^\\s*include(?:_if_exists)?\\s*=?\\s*'${PGWARDEN_CONF.replace(".", "\\.")}'`, "m");

/** A postgresql.conf value, single-quoted with quotes doubled (valid for every parameter type). */
export function configValue(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** The content of pgwarden.conf for these settings, in a stable order. */
export function renderPgwardenConf(settings: Readonly<Record<string, string>>): string {
  const lines = Object.entries(settings).map(([name, value]) => `${name} = ${configValue(value)}`);
  return `# Written by pgwarden (pgwarden pg tls). Do not edit: pgwarden rewrites this file.\n${lines.join("\n")}\n`;
}

/** postgresql.conf with the include line appended (last, so pgwarden's settings win), or unchanged when already there. */
export function withInclude(postgresqlConf: string): { text: string; added: boolean } {
  if (INCLUDE_PATTERN.test(postgresqlConf)) return { text: postgresqlConf, added: false };
  const separator = postgresqlConf === "" || postgresqlConf.endsWith("\n") ? "" : "\n";
  return { text: `${postgresqlConf}${separator}${INCLUDE_LINE}\n`, added: true };
}

/**
 * Parameters set by `ALTER SYSTEM` in postgresql.auto.conf, which PostgreSQL reads after
 * every other file: any of `names` found there silently overrides pgwarden.conf.
 */
export async function autoConfOverrides(autoConfPath: string, names: readonly string[]): Promise<string[]> {
  const text = await readFile(autoConfPath, "utf8").catch(() => "");
  const set = new Set<string>();
  for (const line of text.split("\n")) {
    const name = /^\s*([a-z_]+)\s*=/.exec(line)?.[1];
    if (name && names.includes(name)) set.add(name);
  }
  return [...set];
}
