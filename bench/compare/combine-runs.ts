// Folds several measured runs of one contender into the figures the report shows: medians of the
// timings and sizes, the worst status, every distinct reason, and the spread of wall times.
import type { ContenderResult } from './report.js';

/** The median of the numbers present, or undefined when there are none. */
export function median(values: (number | null | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** The median of a list of numbers (timings, rates): NaN when the list is empty. */
export function medianOfNumbers(values: number[]): number {
  return median(values) ?? NaN;
}

const SEVERITY: ContenderResult['status'][] = ['ok', 'wrong', 'failed', 'unavailable'];

/** One result for `runs` (all of the same contender, at least one): medians over the runs. */
export function combineRuns(runs: ContenderResult[], events: number): ContenderResult {
  const first = runs[0]!;
  const status = runs.map((r) => r.status).sort((a, b) => SEVERITY.indexOf(b) - SEVERITY.indexOf(a))[0]!;
  const ok = runs.filter((r) => r.status === 'ok');
  // Timings come from the successful runs only; a crashed run's wall time measures the crash.
  const timed = ok.length ? ok : runs;
  const wall = median(timed.map((r) => r.wallSeconds));
  const reasons = [...new Set(runs.map((r) => r.reason).filter(Boolean))];
  const walls = runs.map((r) => r.wallSeconds?.toFixed(2) ?? '—').join(', ');
  const loads = runs.map((r) => r.loadBefore?.toFixed(1) ?? '—').join(', ');
  const last = runs.at(-1)!;
  return {
    ...first,
    status,
    reason: reasons.length ? reasons.join('; ') : undefined,
    wallSeconds: wall,
    eventsPerSecond: (status === 'ok' || status === 'wrong') && wall ? events / wall : undefined,
    peakRssBytes: median(timed.map((r) => r.peakRssBytes)),
    cpuSeconds: median(timed.map((r) => r.cpuSeconds)) ?? null,
    outputBytes: last.outputBytes,
    outputFiles: last.outputFiles,
    correctness: runs.every((r) => r.correctness === runs[0]!.correctness) ? first.correctness : runs.map((r) => r.correctness).join(' / '),
    totals: last.totals,
    loadBefore: median(runs.map((r) => r.loadBefore)),
    rounds: runs.map((r) => (r.status === 'ok' ? { wallSeconds: r.wallSeconds ?? null, cpuSeconds: r.cpuSeconds ?? null } : { wallSeconds: null, cpuSeconds: null })),
    detail: [`${runs.length} run(s), wall s: ${walls}; load at their start: ${loads}`, last.detail].filter(Boolean).join('; '),
  };
}
