// "Did you mean ...?" for a mistyped command, subcommand or option, as pip (difflib) and uv
// (clap) suggest one. A typo is a letter or two wrong, missing, extra or swapped, so the
// measure is the edit distance with transpositions (optimal string alignment), allowed to grow
// with the word: one edit up to 4 letters, two up to 8, three beyond.

function editDistance(a: string, b: string): number {
  // Rows two back, one back and current of the dynamic programme; words here are short.
  let twoBack: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, twoBack[j - 2] + 1);
      current.push(best);
    }
    twoBack = previous;
    previous = current;
  }
  return previous[b.length];
}

/** The candidate `word` is most likely a typo of, or null when none is close enough. */
export function closestWord(word: string, candidates: Iterable<string>): string | null {
  if (word.length < 2) return null;
  const allowed = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | null = null;
  let bestDistance = allowed + 1;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `Did you mean 'spice pip install'? ` before a hint, when `word` is a typo of a candidate. */
export function didYouMean(
  word: string | undefined,
  candidates: Iterable<string>,
  render: (candidate: string) => string = (candidate) => candidate,
): string {
  const closest = word === undefined ? null : closestWord(word, candidates);
  return closest === null ? "" : `Did you mean '${render(closest)}'? `;
}
