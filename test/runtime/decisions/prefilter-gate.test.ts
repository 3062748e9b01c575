import { describe, expect, it } from 'vitest';
import { PrefilterGate } from '../../../src/runtime/decisions/prefilter-gate.js';

/** Runs `n` records through the gate, where the test would skip each `skipEvery`-th; how many it tested. */
function run(gate: PrefilterGate, n: number, skips: (i: number) => boolean): number {
  let tested = 0;
  for (let i = 0; i < n; i++) {
    if (!gate.shouldTest()) continue;
    tested++;
    gate.record(skips(i));
  }
  return tested;
}

describe('PrefilterGate', () => {
  it('keeps testing while at least the minimum share is skipped', () => {
    const gate = new PrefilterGate(100, 0.5, 1000);
    expect(run(gate, 10_000, (i) => i % 4 !== 0)).toBe(10_000);
  });

  it('pauses after a probe that skipped too few, then probes again', () => {
    const gate = new PrefilterGate(100, 0.5, 1000);
    // 100 tested (too few skipped), 1000 passed untested, 100 tested again, ...
    expect(run(gate, 1100, () => false)).toBe(100);
    expect(run(gate, 100, () => false)).toBe(100);
    expect(run(gate, 1000, () => true)).toBe(0);
  });

  it('comes back on when the mix changes', () => {
    const gate = new PrefilterGate(100, 0.5, 1000);
    run(gate, 1100, () => false);
    expect(run(gate, 5000, () => true)).toBe(5000);
  });
});
