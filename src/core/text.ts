/** Code-point order, as Python and Jinja sort strings (not locale order). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
