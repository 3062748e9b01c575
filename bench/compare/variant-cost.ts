// What a variant of the gamepipe contender (SASL_SSL, partitioned jobs) costs against it, from one run.
import { median } from './combine-runs.js';
import type { ContenderResult } from './report.js';

const percent = (v: number) => `${v.toFixed(1)}%`;
const times = (v: number) => `${v.toFixed(2)}x`;

/** The gamepipe contenders whose cost against the plain `gamepipe` contender the report states. */
export const VARIANTS: Record<string, VariantNames> = {
  'gamepipe-sasl-ssl': { title: 'SASL_SSL against plaintext', cause: 'TLS' },
  'gamepipe-partitioned': {
    title: 'jobs with a computed column and partition_by [event_type, hour(event_ts)] against the example jobs',
    cause: 'the column and partitions',
  },
};

/**
 * Costs in round order: 1 - base/variant of each round where both succeeded. The two ran back to
 * back in a round, so a change of load between rounds hits both sides of one pair; the median of
 * these is steadier on a shared machine than the ratio of the two medians.
 */
export function pairedCosts(base: ContenderResult, variant: ContenderResult, figure: 'wallSeconds' | 'cpuSeconds'): number[] {
  const a = base.rounds ?? [];
  const b = variant.rounds ?? [];
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const p = a[i]![figure];
    const s = b[i]![figure];
    if (p && s) out.push(figure === 'wallSeconds' ? (1 - p / s) * 100 : (s / p - 1) * 100);
  }
  return out;
}

/** What the report calls a variant: `SASL_SSL against basetext`, and what costs (`TLS`). */
export interface VariantNames {
  title: string;
  cause: string;
}

/**
 * One line for the report: events/s, CPU seconds and peak RSS of a variant against the base
 * gamepipe contender, as a ratio of medians and per round; undefined when either has no events/s.
 */
export function variantCostLine(names: VariantNames, base: ContenderResult, variant: ContenderResult): string | undefined {
  if (!base.eventsPerSecond || !variant.eventsPerSecond) return undefined;
  const cost = (1 - variant.eventsPerSecond / base.eventsPerSecond) * 100;
  const rounds = pairedCosts(base, variant, 'wallSeconds');
  const cpuRounds = pairedCosts(base, variant, 'cpuSeconds');
  const perRound = (costs: number[]) => (costs.length > 1 ? `; per round ${costs.map(percent).join(', ')}, median ${percent(median(costs)!)}` : '');
  const cpu = base.cpuSeconds && variant.cpuSeconds ? `, CPU s ${times(variant.cpuSeconds / base.cpuSeconds)} (${percent((variant.cpuSeconds / base.cpuSeconds - 1) * 100)} more${perRound(cpuRounds)})` : '';
  const rss = base.peakRssBytes && variant.peakRssBytes ? `, peak RSS ${times(variant.peakRssBytes / base.peakRssBytes)}` : '';
  return `${names.title}: events/s ${times(variant.eventsPerSecond / base.eventsPerSecond)} (${names.cause} costs ${percent(cost)} of events/s${perRound(rounds)})${cpu}${rss}`;
}
