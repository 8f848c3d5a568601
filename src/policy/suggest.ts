/** The closest candidate within a small edit distance, to turn `priorty` into "did you mean priority?". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = word.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === undefined ? "" : ` (did you mean "${match}"?)`;
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions, the commonest typo. */
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [];
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((rows[i - 1]?.[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (rows[i - 1]?.[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? Number.POSITIVE_INFINITY;
}

/** `unknown model "x" (known: a, b); did you mean "a"?` for a reference to a name that is not defined. */
export function unknown(what: string, name: string, known: Iterable<string>): string {
  const names = [...known].sort();
  const shown = names.length > 20 ? [...names.slice(0, 20), "..."] : names;
  const list = names.length === 0 ? `no ${what}s are defined` : `known: ${shown.join(", ")}`;
  const match = closest(name, names);
  return `unknown ${what} "${name}" (${list})${match === undefined ? "" : `; did you mean "${match}"?`}`;
}
