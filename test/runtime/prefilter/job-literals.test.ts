import { describe, expect, it } from 'vitest';
import { checkedFilter } from '../../../src/dsl/check-where.js';
import type { ColumnSpec } from '../../../src/dsl/job-spec.js';
import { jobLiterals } from '../../../src/runtime/prefilter/job-literals.js';
import { valueBytes } from '../../../src/runtime/prefilter/value-bytes.js';

const schema: ColumnSpec[] = [
  { name: 'event_type', from: 'event_type', type: 'string' },
  { name: 'size', from: 'size', type: 'string' },
  { name: 'quantity', from: 'quantity', type: 'int' },
  { name: 'payload', from: 'payload', type: 'json' },
  { name: 'event_ts', from: 'event_ts', type: 'timestamp' },
  { name: 'key', from: '$key', type: 'string' },
  { name: 'level', from: 'player.level', type: 'string' },
];
const literals = (where: string | undefined) => {
  const set = jobLiterals({ filterTree: where === undefined ? undefined : checkedFilter(where, schema).tree });
  return set && [...set].sort();
};

describe('jobLiterals (requiredLiterals of the checked where)', () => {
  it('gives the compared values of == and in, either way round', () => {
    expect(literals('event_type == "purchase_horse"')).toEqual(['purchase_horse']);
    expect(literals('"purchase_horse" == event_type')).toEqual(['purchase_horse']);
    expect(literals('event_type in ("join_guild", "leave_guild")')).toEqual(['join_guild', 'leave_guild']);
    const many = Array.from({ length: 12 }, (_, i) => `t${i}`);
    expect(literals(`event_type in (${many.map((v) => `"${v}"`).join(', ')})`)).toEqual([...many].sort());
    expect(literals('level == "gold"')).toEqual(['gold']);
    expect(literals('color == "red"')).toEqual(['red']);
    expect(literals('player.rank == "gold"')).toEqual(['gold']);
    expect(literals('`User-Agent` == "curl"')).toEqual(['curl']);
  });

  it('takes the smaller side of and, the union of or when both sides have one', () => {
    expect(literals('event_type == "purchase_horse" and size in ("small", "medium", "large") and quantity >= 0')).toEqual(['purchase_horse']);
    expect(literals('size in ("small", "large") and event_type == "h"')).toEqual(['h']);
    expect(literals('quantity > 1 and event_type == "a"')).toEqual(['a']);
    expect(literals('event_type == "a" or size in ("b", "c")')).toEqual(['a', 'b', 'c']);
    expect(literals('(event_type == "a" and quantity > 1) or (event_type == "b" and size is null)')).toEqual(['a', 'b']);
    // At equal counts the longer value is the rarer one to meet in a record.
    expect(literals('size == "s" and event_type == "spell"')).toEqual(['spell']);
  });

  it('gives nothing for forms an event can pass without holding a given string', () => {
    for (const where of [
      undefined,
      'event_type != "a"',
      'not (event_type == "a")',
      'event_type not in ("a", "b")',
      'event_type == "a" or quantity > 1',
      'lower(event_type) == "a"',
      'coalesce(event_type, size) == "a"',
      'event_type matches "^a$"',
      'event_type is not null',
      'event_type == size',
      'quantity == 5',
      'quantity in (1, 2)',
      'event_ts >= "2026-11-22"',
      'payload == "{}"', // a json column compares JSON.stringify of any value
      'key == "a"', // a string column read from $key
      '$key == "a"',
      '$topic == "events"',
      'flag',
      'other in ("a", 1)', // the number 1 matches without any string
      '"a" == "a"',
      'event_type ==', // does not check
    ]) {
      expect(literals(where), String(where)).toBeUndefined();
      // Each one checks (but the last), so the answer comes from the rule, not from a failed check.
      if (where !== undefined && where !== 'event_type ==') expect(checkedFilter(where, schema).tree, where).toBeDefined();
    }
  });

  it('gives nothing for a string column compared with a text that a number or boolean becomes', () => {
    // coerceString turns the JSON number 5.0 into "5", 1e999 into "Infinity" and true into "true".
    for (const text of ['5', '-1.5', '0', 'Infinity', '-Infinity', 'NaN', 'true', 'false', '1e+21', '1e-7']) {
      expect(literals(`event_type == "${text}"`), text).toBeUndefined();
      expect(literals(`event_type in ("x", "${text}")`), text).toBeUndefined();
    }
    // No number's text is "-0", "05", "1e21" or "True": those stay.
    expect(literals('event_type in ("-0", "05", "1e21", "True", "null")')).toEqual(['-0', '05', '1e21', 'True', 'null']);
    // An undeclared field is compared with ===, so the number 5 never equals "5".
    expect(literals('other == "5"')).toEqual(['5']);
  });
});

describe('valueBytes', () => {
  it('is the value as UTF-8', () => {
    expect(valueBytes('purchase_horse')).toEqual(Buffer.from('purchase_horse'));
    expect(valueBytes('épée 😀')).toEqual(Buffer.from('épée 😀'));
    expect(valueBytes('')).toEqual(Buffer.alloc(0));
  });

  it('is undefined for a value a token without escapes could hold in other bytes, or never hold', () => {
    for (const text of ['a"b', 'a\\b', 'a\nb', '\u0000', 'a\u001fb', 'a\ufffdb', '\ud800', 'a\udc00', '\ud83d']) {
      expect(valueBytes(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});
