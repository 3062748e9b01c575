import { describe, expect, it } from 'vitest';
import { coerceTimestamp } from '../../src/dsl/coerce.js';
import { parseIsoUtcMillis } from '../../src/dsl/iso-timestamp.js';

describe('parseIsoUtcMillis', () => {
  it('reads toISOString() text exactly as Date.parse does', () => {
    // A deterministic spread of instants from year 100 to 9999, plus the workload's own.
    const samples = [Date.parse('2026-11-22T15:00:00.123Z'), Date.parse('0100-01-01T00:00:00.000Z'), 0, -1, 253402300799999];
    let t = 1;
    for (let i = 0; i < 5000; i++) {
      t = (t * 1103515245 + 12345) % 2147483648;
      samples.push(Math.floor((t / 2147483648) * 2.5e14) - 5.9e13);
    }
    for (const ms of samples) {
      const text = new Date(ms).toISOString();
      if (text.length !== 24) continue;
      expect(parseIsoUtcMillis(text) ?? Date.parse(text), text).toBe(Date.parse(text));
      expect(coerceTimestamp(text), text).toBe(Date.parse(text));
    }
  });

  it('leaves every other shape to Date.parse', () => {
    for (const text of [
      '2026-11-22T15:00:00Z',
      '2026-11-22T15:00:00.123+01:00',
      '2026-11-22 15:00:00.123Z',
      '2026-11-22T15:00:00.1234',
      '2026-11-22t15:00:00.123Z',
      '2026-11-29T15:00:00.123Z', // past the 28th: Date.parse knows the month lengths
      '2026-02-30T15:00:00.123Z',
      '2026-13-01T15:00:00.123Z',
      '2026-00-01T15:00:00.123Z',
      '2026-11-00T15:00:00.123Z',
      '2026-11-22T24:00:00.000Z',
      '2026-11-22T15:60:00.000Z',
      '2026-11-22T15:00:60.000Z',
      '0099-11-22T15:00:00.000Z',
      '20x6-11-22T15:00:00.123Z',
      '2026-11-22T15:00:00.12xZ',
      '+12026-11-22T15:00:00.1Z',
      '1795438811303',
    ]) {
      expect(parseIsoUtcMillis(text), text).toBeUndefined();
    }
  });

  it('keeps coerceTimestamp results for the shapes it leaves alone', () => {
    expect(coerceTimestamp('2026-02-29T15:00:00.000Z')).toBe(Date.parse('2026-02-29T15:00:00.000Z'));
    expect(coerceTimestamp('2026-11-22T24:00:00.000Z')).toBe(Date.parse('2026-11-22T24:00:00.000Z'));
    expect(coerceTimestamp('2026-11-22T15:00:00Z')).toBe(Date.parse('2026-11-22T15:00:00Z'));
    expect(coerceTimestamp('1795438811303')).toBe(1795438811303);
    expect(coerceTimestamp('2026-13-01T15:00:00.000Z')).toBe(Date.parse('2026-13-01T15:00:00.000Z') || undefined);
  });
});
