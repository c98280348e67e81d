/** Endings people add to a name to make it "a password". */
const SUFFIXES = ["1", "12", "123", "1234", "12345", "!", "1!", "123!", "@123", "#1", "01", "2"] as const;
/** Separators within a role name whose last part is a word of its own (`dbuser_meta` → `meta`). */
const NAME_PARTS = /[_.\-]+/;

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
const reverse = (text: string) => [...text].reverse().join("");

/**
 * The guesses a role's own name suggests: the name as is, capitalised, in upper and lower
 * case, reversed and doubled, its last word (`dbuser_meta` → `meta`), each with the usual
 * endings (1, 123, !, the current and last year, ...). In a stable order without duplicates.
 */
export function roleNameVariants(roleName: string, year: number): string[] {
  const lastPart =
    roleName
      .split(NAME_PARTS)
      .filter((part) => part.length > 0)
      .at(-1) ?? roleName;
  const words = [roleName, lastPart].filter((word) => word.length > 0);
  const bases = words.flatMap((word) => [word, word.toLowerCase(), capitalise(word), word.toUpperCase()]);
  const endings = [...SUFFIXES, String(year), String(year - 1), `${year}!`, `@${year}`];
  const variants = [
    ...bases,
    ...bases.flatMap((base) => endings.map((ending) => base + ending)),
    ...words.flatMap((word) => [
      reverse(word),
      word + word,
      `${word}_${word}`,
      `${capitalise(word)}.${capitalise(word)}`,
    ]),
  ];
  return [...new Set(variants)].filter((variant) => variant.length > 0);
}
