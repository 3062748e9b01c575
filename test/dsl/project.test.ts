import { describe, expect, it } from 'vitest';
import type { OutputValue, RecordMeta } from '../../src/dsl/job-spec.js';
import { compiled, jobText } from './job-text.js';

const meta: RecordMeta = { topic: 'events', partition: 1, offset: '9007199254740993', timestamp: Date.UTC(2026, 10, 22, 15), key: 'k', raw: '{"raw":true}' };

/** Projects one event through a single-column job of `type`; returns the value or the bad-record reason. */
function project(type: string, value: unknown): { value?: OutputValue; reason?: string } {
  const job = compiled(jobText('', `  c: ${type}\n`));
  const out: OutputValue[] = [];
  const reason = job.project(value === undefined ? {} : { c: value }, meta, out);
  return reason === undefined ? { value: out[0] } : { reason };
}

describe('project: coercion by column type', () => {
  const good: [string, unknown, OutputValue][] = [
    ['string', 'a', 'a'], ['string', 3, '3'], ['string', true, 'true'],
    ['int', '2', 2], ['int', 2, 2], ['int', '-7', -7], ['int', 2147483647, 2147483647],
    ['long', '9007199254740993', 9007199254740993n], ['long', 5, 5n],
    ['double', '2.5', 2.5], ['double', 3, 3], ['double', '1e3', 1000],
    ['boolean', true, true], ['boolean', 'false', false],
    ['timestamp', 1700000000000, 1700000000000], ['timestamp', '1700000000000', 1700000000000],
    ['timestamp', '2026-11-22T15:00:00.123Z', Date.UTC(2026, 10, 22, 15, 0, 0, 123)],
    ['date', '2026-11-22', Date.UTC(2026, 10, 22) / 86_400_000], ['date', '2026-11-22T23:59:59Z', Date.UTC(2026, 10, 22) / 86_400_000],
    ['json', { a: [1] }, '{"a":[1]}'], ['json', 'x', '"x"'], ['json', 1, '1'],
  ];
  it.each(good)('%s <- %j', (type, input, expected) => {
    expect(project(type, input)).toEqual({ value: expected });
  });

  it.each(['string', 'int', 'long', 'double', 'boolean', 'timestamp', 'date', 'json'])('%s: missing or null is null, never an error', (type) => {
    expect(project(type, undefined)).toEqual({ value: null });
    expect(project(type, null)).toEqual({ value: null });
  });

  const bad: [string, unknown][] = [
    ['string', { a: 1 }], ['string', [1]],
    ['int', 'abc'], ['int', '2.5'], ['int', 2 ** 40], ['int', 2.5], ['int', true], ['int', ''],
    ['long', '1.5'], ['long', '99999999999999999999'],
    ['double', 'abc'], ['double', ''],
    ['boolean', 'yes'], ['boolean', 1],
    ['timestamp', 'yesterday'], ['timestamp', {}],
    ['date', '22/11/2026'],
  ];
  it.each(bad)('%s <- %j is a bad record naming the column and the value', (type, input) => {
    const { reason } = project(type, input);
    expect(reason).toBe(`column c: cannot read ${JSON.stringify(input)} as ${type}`);
  });

  it('reads renamed fields, dotted paths, header keys, metadata and raw_event', () => {
    const job = compiled(
      jobText(
        'include: [raw_event]\n',
        '  host: { from: Host, type: string }\n  ua: { from: User-Agent, type: string }\n  level: { from: player.level, type: int }\n  dotted: { from: a.b, type: string }\n' +
          '  at: { from: $timestamp, type: timestamp }\n  topic: { from: $topic, type: string }\n  part: { from: $partition, type: int }\n  off: { from: $offset, type: long }\n  key: { from: $key, type: string }\n  dt: { from: $timestamp, type: date }\n',
      ),
    );
    expect(job.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['host:string', 'ua:string', 'level:int', 'dotted:string', 'at:timestamp', 'topic:string', 'part:int', 'off:long', 'key:string', 'dt:date', 'raw_event:string']);
    const out: OutputValue[] = [];
    const event = { Host: 'h', 'User-Agent': 'ab', player: { level: '7' }, 'a.b': 'top-level key wins' };
    expect(job.project(event, meta, out)).toBeUndefined();
    expect(out).toEqual(['h', 'ab', 7, 'top-level key wins', meta.timestamp, 'events', 1, 9007199254740993n, 'k', Math.floor(meta.timestamp / 86_400_000), '{"raw":true}']);
  });
});
