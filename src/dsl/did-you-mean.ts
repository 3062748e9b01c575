/** " (did you mean 'x'?)" for the closest candidate within a small edit distance, else "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  let bestScore = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const other = c.toLowerCase();
    // A prefix either way ('integer' for 'int') is as good a guess as one typo, but a real typo
    // wins a tie ('topic_patern' is 'topic_pattern', not 'topic').
    const prefix = other.length >= 3 && (lower.startsWith(other) || other.startsWith(lower));
    const typos = editDistance(lower, other);
    const d = prefix ? Math.min(1, typos) : typos;
    const score = prefix && typos > 1 ? d + 0.5 : d;
    if (score < bestScore) {
      best = c;
      bestDistance = d;
      bestScore = score;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && bestDistance <= limit ? ` (did you mean '${best}'?)` : '';
}

// Optimal string alignment distance: edits plus swaps of two neighbours ('strat' -> 'start').
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
