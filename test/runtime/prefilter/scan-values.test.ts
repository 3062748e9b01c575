import { describe, expect, it } from 'vitest';
import { jsonShape, scanJson } from '../../../src/runtime/prefilter/json-scan.js';
import { ValueTable } from '../../../src/runtime/prefilter/value-table.js';
import { valueBytes } from '../../../src/runtime/prefilter/value-bytes.js';
import { randomRecord, VOCAB } from './random-jobs.js';
import { chance, int, pick, prng } from '../../support/random.js';

const table = (...values: string[]) => new ValueTable(values.map((v) => Buffer.from(v)));
const scan = (text: string, t: ValueTable) => scanJson(Buffer.from(text), t);

/** Every string value (not key) of a parsed JSON value. */
function stringValues(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringValues(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stringValues(x, out);
  return out;
}

describe('ValueTable', () => {
  it('matches a byte range against its values exactly', () => {
    const t = table('join_guild', 'leave_guild', 'purchase_sword', 'purchase_horse', '');
    const b = Buffer.from('xxpurchase_horseyy');
    expect(t.has(b, 2, 16)).toBe(true);
    expect(t.has(b, 2, 15)).toBe(false);
    expect(t.has(b, 3, 17)).toBe(false);
    expect(t.has(b, 5, 5)).toBe(true);
    expect(table('a').has(b, 5, 5)).toBe(false);
    expect(table().has(b, 0, 18)).toBe(false);
  });
});

describe('scanJson looking for values', () => {
  it('stops at a string value that is one of them, not at a key', () => {
    const t = table('purchase_horse', 'small');
    expect(scan('{"event_type":"purchase_horse"}', t)).toBe('may-hold');
    expect(scan('{"a":[1,{"b":["x","small"]}]}', t)).toBe('may-hold');
    expect(scan('{"purchase_horse":"x","small":1}', t)).toBe('object');
    expect(scan('{"size":"smaller","t":"purchase_horses","u":" small"}', t)).toBe('object');
    expect(scan('"small"', t)).toBe('may-hold');
  });

  it('stops at any backslash, in keys and values alike, since an escape can spell a value', () => {
    const t = table('purchase_horse');
    expect(scan('{"event_type":"purchase\\u005fhorse"}', t)).toBe('may-hold');
    expect(scan('{"a\\n":"x"}', t)).toBe('may-hold');
    expect(scan('{"a":"x\\"}', t)).toBe('may-hold'); // not JSON, but the answer is "do not skip" either way
    expect(scan('{"a":"x"}\\', t)).toBe('invalid');
  });

  it('otherwise gives the shape, and the shape is right about the values', () => {
    const rand = prng(505);
    let holds = 0;
    let objects = 0;
    for (let n = 0; n < 30_000; n++) {
      const values = VOCAB.filter(() => chance(rand, 0.3)).map(valueBytes).filter((v): v is Buffer => v !== undefined);
      const t = new ValueTable(values);
      const b = randomRecord(rand);
      const got = scanJson(b, t);
      const label = `record #${n} (seed 505) ${b.toString('utf8')}`;
      if (got === 'may-hold') {
        holds++;
        const quoted = values.some((v) => b.includes(Buffer.concat([Buffer.from('"'), v, Buffer.from('"')])));
        expect(quoted || b.includes(0x5c), label).toBe(true);
        continue;
      }
      expect(got, label).toBe(jsonShape(b));
      if (got === 'object' || got === 'other') {
        expect(b.includes(0x5c), label).toBe(false);
        const wanted = new Set(values.map((v) => v.toString('utf8')));
        const found = stringValues(JSON.parse(b.toString('utf8'))).filter((s) => wanted.has(s));
        expect(found, label).toEqual([]);
        if (got === 'object') objects++;
      }
    }
    expect(holds).toBeGreaterThan(3000);
    expect(objects).toBeGreaterThan(3000);
  });

  it('never throws, whatever the bytes', () => {
    const rand = prng(606);
    const t = table(...VOCAB.filter((v) => valueBytes(v)));
    for (let n = 0; n < 20_000; n++) {
      const b = Buffer.from(Array.from({ length: 1 + int(rand, 40) }, () => pick(rand, [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x78, 0x35, 0xff, 0x00])));
      expect(() => scanJson(b, t)).not.toThrow();
    }
  });
});
