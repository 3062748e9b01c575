// What reading over SASL_SSL costs against plaintext, from the two gamepipe contenders of one run.
import { median } from './combine-runs.js';
import type { ContenderResult } from './report.js';

const percent = (v: number) => `${v.toFixed(1)}%`;
const times = (v: number) => `${v.toFixed(2)}x`;

/**
 * Costs in round order: 1 - plain/secure of each round where both succeeded. The two ran back to
 * back in a round, so a change of load between rounds hits both sides of one pair; the median of
 * these is steadier on a shared machine than the ratio of the two medians.
 */
export function pairedCosts(plain: ContenderResult, secure: ContenderResult, figure: 'wallSeconds' | 'cpuSeconds'): number[] {
  const a = plain.rounds ?? [];
  const b = secure.rounds ?? [];
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const p = a[i]![figure];
    const s = b[i]![figure];
    if (p && s) out.push(figure === 'wallSeconds' ? (1 - p / s) * 100 : (s / p - 1) * 100);
  }
  return out;
}

/**
 * One line for the report: events/s, CPU seconds and peak RSS of SASL_SSL against plaintext, as a
 * ratio of medians and per round; undefined when either side has no events/s.
 */
export function securityCostLine(plain: ContenderResult, secure: ContenderResult): string | undefined {
  if (!plain.eventsPerSecond || !secure.eventsPerSecond) return undefined;
  const cost = (1 - secure.eventsPerSecond / plain.eventsPerSecond) * 100;
  const rounds = pairedCosts(plain, secure, 'wallSeconds');
  const cpuRounds = pairedCosts(plain, secure, 'cpuSeconds');
  const perRound = (costs: number[]) => (costs.length > 1 ? `; per round ${costs.map(percent).join(', ')}, median ${percent(median(costs)!)}` : '');
  const cpu = plain.cpuSeconds && secure.cpuSeconds ? `, CPU s ${times(secure.cpuSeconds / plain.cpuSeconds)} (${percent((secure.cpuSeconds / plain.cpuSeconds - 1) * 100)} more${perRound(cpuRounds)})` : '';
  const rss = plain.peakRssBytes && secure.peakRssBytes ? `, peak RSS ${times(secure.peakRssBytes / plain.peakRssBytes)}` : '';
  return `SASL_SSL against plaintext: events/s ${times(secure.eventsPerSecond / plain.eventsPerSecond)} (TLS costs ${percent(cost)} of events/s${perRound(rounds)})${cpu}${rss}`;
}
