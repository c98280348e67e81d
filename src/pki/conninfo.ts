/** libpq keyword/value syntax: quote a value when it is empty or holds spaces, quotes or backslashes. */
export function conninfoValue(value: string): string {
  return /^[^\s'\\]+$/.test(value) ? value : `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

export function conninfo(pairs: Readonly<Record<string, string | number>>): string {
  return Object.entries(pairs)
    .map(([key, value]) => `${key}=${conninfoValue(String(value))}`)
    .join(" ");
}
