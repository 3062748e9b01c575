import { describe, expect, it } from 'vitest';
import { combineRuns } from '../../bench/compare/combine-runs.js';
import type { ContenderResult } from '../../bench/compare/report.js';
import { pairedCosts, variantCostLine } from '../../bench/compare/variant-cost.js';

const TLS = { title: 'SASL_SSL against plaintext', cause: 'TLS' };

const run = (name: string, wall: number, cpu: number, status: ContenderResult['status'] = 'ok'): ContenderResult => ({
  name,
  description: '',
  kind: 'pipeline',
  status,
  wallSeconds: wall,
  cpuSeconds: cpu,
  peakRssBytes: 100 * 2 ** 20,
  correctness: 'ok',
});

describe('the cost of SASL_SSL against plaintext', () => {
  it('pairs the runs of each round, skipping rounds where either side failed', () => {
    const plain = combineRuns([run('gamepipe', 10, 8), run('gamepipe', 20, 8), run('gamepipe', 10, 8)], 1000);
    const secure = combineRuns([run('tls', 12.5, 10), run('tls', 25, 9), run('tls', 99, 99, 'failed')], 1000);
    const rounded = (costs: number[]) => costs.map((c) => Number(c.toFixed(6)));
    expect(rounded(pairedCosts(plain, secure, 'wallSeconds'))).toEqual([20, 20]);
    expect(rounded(pairedCosts(plain, secure, 'cpuSeconds'))).toEqual([25, 12.5]);
  });

  it('states the ratio of the medians and the per-round costs in one line', () => {
    const plain = combineRuns([run('gamepipe', 10, 8), run('gamepipe', 20, 8), run('gamepipe', 10, 8)], 1000);
    const secure = combineRuns([run('tls', 11, 8.8), run('tls', 21, 8.8), run('tls', 12, 8.8)], 1000);
    expect(variantCostLine(TLS, plain, secure)).toBe(
      'SASL_SSL against plaintext: events/s 0.83x (TLS costs 16.7% of events/s; per round 9.1%, 4.8%, 16.7%, median 9.1%), ' +
        'CPU s 1.10x (10.0% more; per round 10.0%, 10.0%, 10.0%, median 10.0%), peak RSS 1.00x',
    );
  });

  it('says nothing when a side has no events/s', () => {
    const plain = combineRuns([run('gamepipe', 10, 8)], 1000);
    const secure = combineRuns([run('tls', 10, 8, 'failed')], 1000);
    expect(variantCostLine(TLS, plain, secure)).toBeUndefined();
  });
});
