import { describe, expect, it } from 'vitest';
import { checkJobText } from '../../src/dsl/check-job.js';
import type { OutputValue } from '../../src/dsl/job-spec.js';
import { dayText, hourText, monthText, partitionKeyer, UNPARTITIONED } from '../../src/dsl/partition-values.js';
import { jobText } from './job-text.js';

const SCHEMA = '  event_type: string\n  quantity: int\n  big: long\n  premium: boolean\n  played_on: date\n  event_ts: timestamp\n';

function keyerFor(list: string) {
  const text = jobText('', SCHEMA).replace('  path: data/t\n', `  path: data/t\n  partition_by: ${list}\n`);
  const { spec, diagnostics } = checkJobText('t.job.yaml', text);
  if (!spec) throw new Error(JSON.stringify(diagnostics));
  return partitionKeyer(spec);
}

const TS = Date.UTC(2026, 10, 22, 13, 45, 7, 123);
const PLAYED_ON = Date.UTC(2025, 10, 23) / 86_400_000;
const row = (over: Partial<Record<'event_type' | 'quantity' | 'big' | 'premium' | 'played_on' | 'event_ts', OutputValue>> = {}): OutputValue[] => {
  const r = { event_type: 'purchase_horse', quantity: 3, big: 9007199254740993n, premium: true, played_on: PLAYED_ON, event_ts: TS, ...over };
  return [r.event_type, r.quantity, r.big, r.premium, r.played_on, r.event_ts];
};

describe('partition values', () => {
  it('formats days, hours and months in UTC', () => {
    expect(dayText(PLAYED_ON)).toBe('2025-11-23');
    expect(hourText(Math.floor(TS / 3_600_000))).toBe('2026-11-22-13');
    expect(monthText((2026 - 1970) * 12 + 10)).toBe('2026-11');
    expect(monthText(-1)).toBe('1969-12');
  });

  it('computes every kind of partition column from the row, in partition_by order', () => {
    const keyer = keyerFor('[event_type, hour(event_ts), day(event_ts), month(event_ts), quantity, big, premium, played_on, dt]');
    const recordTime = Date.UTC(2026, 10, 23, 0, 0, 0, 1);
    expect(keyer(row(), recordTime)).toEqual({
      event_type: 'purchase_horse',
      event_ts_hour: '2026-11-22-13',
      event_ts_day: '2026-11-22',
      event_ts_month: '2026-11',
      quantity: '3',
      big: '9007199254740993',
      premium: 'true',
      played_on: '2025-11-23',
      dt: '2026-11-23',
    });
    expect(Object.keys(keyer(row(), recordTime))).toEqual(['event_type', 'event_ts_hour', 'event_ts_day', 'event_ts_month', 'quantity', 'big', 'premium', 'played_on', 'dt']);
  });

  it('gives null for a null value and for an empty string, which share the one null partition', () => {
    const keyer = keyerFor('[event_type, day(event_ts)]');
    const nulls = keyer(row({ event_type: null, event_ts: null }), 0);
    expect(nulls).toEqual({ event_type: null, event_ts_day: null });
    expect(keyer(row({ event_type: '', event_ts: null }), 0)).toBe(nulls);
  });

  it('gives the same object for rows of one partition, another for another', () => {
    const keyer = keyerFor('[event_type, day(event_ts)]');
    const a = keyer(row(), 0);
    expect(keyer(row({ event_ts: TS + 3_600_000 }), 0)).toBe(a);
    expect(keyer(row({ event_ts: TS + 86_400_000 }), 0)).not.toBe(a);
    expect(keyer(row({ event_type: 'purchase_sword' }), 0)).not.toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('keeps a value needing escaping as it is: only table formats escape it', () => {
    expect(keyerFor('[event_type]')(row({ event_type: 'a/b:c=d%' }), 0)).toEqual({ event_type: 'a/b:c=d%' });
  });

  it('gives the record-time day for dt, as before partition_by took columns', () => {
    const keyer = keyerFor('[dt]');
    expect(keyer(row(), Date.UTC(2026, 10, 23, 23, 59, 59, 999))).toEqual({ dt: '2026-11-23' });
    expect(keyer(row(), Date.UTC(2026, 10, 23))).toBe(keyer(row(), Date.UTC(2026, 10, 23, 12)));
  });

  it('gives UNPARTITIONED without partition_by', () => {
    expect(keyerFor('[]')(row(), 0)).toBe(UNPARTITIONED);
  });

  it('stays correct after forgetting what it remembered', () => {
    const keyer = keyerFor('[quantity, event_type]');
    for (let i = 0; i < 10_050; i++) expect(keyer(row({ quantity: i }), 0)).toEqual({ quantity: String(i), event_type: 'purchase_horse' });
    const again = keyer(row({ quantity: 10_049 }), 0);
    expect(keyer(row({ quantity: 10_049 }), 0)).toBe(again);
  });
});
