/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`: optimal string alignment distance. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Typos this far from a known word are suggested; farther ones are not (they would be guesses). */
const MAX_SUGGESTED_EDITS = 2;

/** The known word `word` was most likely meant to be, if one is close enough: `sslmod` gives `sslmode`. */
export function nearMiss(word: string, known: readonly string[]): string | undefined {
  let best: { word: string; edits: number } | undefined;
  for (const candidate of known) {
    const edits = editDistance(word.toLowerCase(), candidate);
    if (edits <= MAX_SUGGESTED_EDITS && (best === undefined || edits < best.edits)) best = { word: candidate, edits };
  }
  return best?.word;
}
