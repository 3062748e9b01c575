import { describe, expect, it } from 'vitest';
import { parseCheckouts, roundOrder } from '../../bench/compare/checkouts.js';

describe('hot-path bench checkouts', () => {
  it('parses LABEL=ROOT with optional node flags and environment variables', () => {
    expect(parseCheckouts(['base=/tmp/base', 'semi=/tmp/head,--max-semi-space-size=64,GAMEPIPE_PROCESSING_THREADS=1,--no-opt'])).toEqual([
      { label: 'base', root: '/tmp/base', flags: [], env: {} },
      { label: 'semi', root: '/tmp/head', flags: ['--max-semi-space-size=64', '--no-opt'], env: { GAMEPIPE_PROCESSING_THREADS: '1' } },
    ]);
  });

  it('refuses a missing label or no checkout at all', () => {
    expect(() => parseCheckouts(['/tmp/base'])).toThrow("expected LABEL=ROOT, got '/tmp/base'");
    expect(() => parseCheckouts(['=/tmp/base'])).toThrow('expected LABEL=ROOT');
    expect(() => parseCheckouts([])).toThrow('name at least one checkout');
  });

  it('alternates the order of the rounds', () => {
    expect([0, 1, 2].map((i) => roundOrder(['a', 'b', 'c'], i))).toEqual([
      ['a', 'b', 'c'],
      ['c', 'b', 'a'],
      ['a', 'b', 'c'],
    ]);
  });
});
