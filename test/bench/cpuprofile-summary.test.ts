import { describe, expect, it } from 'vitest';
import { formatSummary, medianSummary, packageOf, summarizeProfile, type CpuProfile } from '../../bench/cpuprofile-summary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

// root -> idle, gc, decode (gamepipe bundle) -> fromString (long.js inside kafkajs)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('(garbage collector)') },
    { id: 4, callFrame: frame('decodeRecord', '/p/node_modules/.cache/gamepipe-cli/abc/chunk.js', 9), children: [5] },
    { id: 5, callFrame: frame('fromString', '/p/node_modules/kafkajs/src/utils/long.js', 72) },
  ],
  samples: [4, 5, 4, 3, 2],
  timeDeltas: [7, 100, 200, 300, 50],
  startTime: 0,
  endTime: 657,
};

describe('cpuprofile summary', () => {
  it('charges each sample the time to the next one and sums self time per function', () => {
    const s = summarizeProfile(profile);
    // 4: 100 + 300, 5: 200, 3: 50, 2 (last): its own 50.
    expect(s.functions.map((f) => [f.name, f.selfMs])).toEqual([
      ['decodeRecord', 0.4],
      ['fromString', 0.2],
      ['(garbage collector)', 0.05],
      ['(idle)', 0.05],
    ]);
    expect(s.totalMs).toBeCloseTo(0.7);
    expect(s.idleMs).toBeCloseTo(0.05);
    expect(s.busyMs).toBeCloseTo(0.65);
    expect(s.gcMs).toBeCloseTo(0.05);
    expect(s.functions[0]!.where).toBe('abc/chunk.js:10');
    expect([...s.byPackage]).toEqual([
      ['gamepipe', 0.4],
      ['kafkajs', 0.2],
    ]);
    expect(formatSummary(s, 2)).toContain('top 2 functions by self time:');
  });

  it('takes the median of every figure over several profiles, 0 ms where a function is missing', () => {
    const one = summarizeProfile(profile);
    const other = summarizeProfile({ ...profile, samples: [4, 4, 4, 2, 2] });
    const third = summarizeProfile({ ...profile, samples: [2, 2, 2, 2, 2] });
    const m = medianSummary([one, other, third]);
    // decodeRecord: 0.4, 0.6, 0 -> 0.4; fromString: 0.2, 0, 0 -> 0; idle: 0.05, 0.1, 0.7 -> 0.1.
    expect(m.functions.find((f) => f.name === 'decodeRecord')!.selfMs).toBeCloseTo(0.4);
    expect(m.functions.find((f) => f.name === 'fromString')!.selfMs).toBe(0);
    expect(m.idleMs).toBeCloseTo(0.1);
    expect(m.totalMs).toBeCloseTo(0.7);
    expect(m.functions[0]!.name).toBe('decodeRecord');
    expect(m.byPackage.get('gamepipe')).toBeCloseTo(0.4);
  });

  it('names the package of a script', () => {
    expect(packageOf('file:///p/node_modules/kafkajs/src/x.js')).toBe('kafkajs');
    expect(packageOf('file:///p/node_modules/@aws-sdk/core/dist/x.js')).toBe('@aws-sdk/core');
    expect(packageOf('file:///p/node_modules/a/node_modules/long/x.js')).toBe('long');
    expect(packageOf('file:///p/node_modules/.cache/gamepipe-cli/k/main.js')).toBe('gamepipe');
    expect(packageOf('file:///p/src/x.ts')).toBe('gamepipe');
    expect(packageOf('node:buffer')).toBe('node');
    expect(packageOf('wasm://wasm/012e380e')).toBe('(wasm)');
    expect(packageOf('')).toBe('(v8)');
  });
});
