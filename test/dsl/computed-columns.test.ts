import { describe, expect, it } from 'vitest';
import { checkJobText } from '../../src/dsl/check-job.js';
import { jobJsonSchema } from '../../src/dsl/json-schema.js';
import type { OutputValue, RecordMeta } from '../../src/dsl/job-spec.js';
import { requiredLiterals } from '../../src/dsl/required-literals.js';
import { runJobTests } from '../../src/dsl/run-job-tests.js';
import { compiled, errorsOf, jobText, positionOf } from './job-text.js';

const meta: RecordMeta = { topic: 'events', partition: 0, offset: '7', timestamp: Date.UTC(2026, 0, 2, 3, 4, 5), key: 'k', raw: '{}' };
const BASE = '  quantity: int\n  speed: double\n  size: string\n  at: timestamp\n';
const AT = Date.UTC(2026, 10, 22, 15, 42, 7, 123);
const EVENT = { quantity: '3', speed: '2.25', size: 'Large', at: '2026-11-22T15:42:07.123Z', ua: 'ApacheBench/2.3', path: '/purchase_a_horse/3/large/1', when: '2026-11-22 15:42:07', stamp: '2026-11-22T17:42:07.123+02:00' };

/** Projects EVENT (or `event`) through a job with BASE and one computed column `c`. */
function computed(expr: string, type: string, event: Record<string, unknown> = EVENT): { value?: OutputValue; reason?: string } {
  const job = compiled(jobText('', `${BASE}  c: { expr: ${JSON.stringify(expr)}, type: ${type} }\n`));
  const out: OutputValue[] = [];
  const reason = job.project(event, meta, out);
  return reason === undefined ? { value: out[4] } : { reason };
}

describe('computed columns: values', () => {
  const cases: [string, string, OutputValue][] = [
    ['hour(at)', 'int', 15],
    ['day(at)', 'int', 22],
    ['month(at)', 'int', 11],
    ['year(at)', 'long', 2026n],
    ['hour($timestamp)', 'int', 3],
    ['date_trunc("hour", at)', 'timestamp', Date.UTC(2026, 10, 22, 15)],
    ['date_trunc("day", at)', 'date', Date.UTC(2026, 10, 22) / 86_400_000],
    ['date_trunc("month", at)', 'timestamp', Date.UTC(2026, 10, 1)],
    ['to_timestamp(when, "yyyy-MM-dd HH:mm:ss")', 'timestamp', Date.UTC(2026, 10, 22, 15, 42, 7)],
    ['to_timestamp(stamp, "iso8601")', 'timestamp', AT],
    ['to_timestamp(when, "iso8601")', 'timestamp', Date.UTC(2026, 10, 22, 15, 42, 7)],
    ['to_timestamp("22/11/2026", "dd/MM/yyyy")', 'date', Date.UTC(2026, 10, 22) / 86_400_000],
    ['to_timestamp("2026-02-30 00:00:00", "yyyy-MM-dd HH:mm:ss")', 'timestamp', null],
    ['to_timestamp(size, "yyyy-MM-dd HH:mm:ss")', 'timestamp', null],
    ['hour(to_timestamp(when, "yyyy-MM-dd HH:mm:ss"))', 'int', 15],
    ['substring(size, 2)', 'string', 'arge'],
    ['substring(size, 1, 3)', 'string', 'Lar'],
    ['split_part(path, "/", 3)', 'int', 3],
    ['split_part(ua, "/", 1)', 'string', 'ApacheBench'],
    ['split_part(ua, "/", 5)', 'string', null],
    ['regexp_extract(ua, "/([0-9.]+)$")', 'string', '2.3'],
    ['regexp_extract(ua, "^(\\\\w+)/(\\\\d)", 2)', 'int', 2],
    ['regexp_extract(ua, "^nothing(x)")', 'string', null],
    ['concat(lower(size), "-", quantity)', 'string', 'large-3'],
    ['concat(size, missing)', 'string', null],
    ['round(speed * 3)', 'long', 7n],
    ['round(speed, 1)', 'double', 2.3],
    ['round(-2.5)', 'int', -3],
    ['abs(0 - quantity)', 'int', 3],
    ['if(quantity > 2, "bulk", "single")', 'string', 'bulk'],
    ['if(missing > 2, "bulk", "single")', 'string', 'single'],
    ['coalesce(missing, quantity)', 'int', 3],
    ['upper(size)', 'string', 'LARGE'],
    ['quantity * speed', 'double', 6.75],
    ['quantity', 'string', '3'],
    ['missing', 'int', null],
    ['hour(missing)', 'int', null],
  ];
  it.each(cases)('%s as %s', (expr, type, expected) => {
    expect(computed(expr, type)).toEqual({ value: expected });
  });

  it('a value that cannot be coerced to the declared type is a bad record naming the column', () => {
    expect(computed('speed * 2', 'int')).toEqual({ reason: 'column c: cannot read 4.5 as int (the value of its expr)' });
    expect(computed('concat("x", quantity)', 'long')).toEqual({ reason: 'column c: cannot read "x3" as long (the value of its expr)' });
  });

  it('a row with a computed column follows the bad record of a declared column first', () => {
    expect(computed('quantity + 1', 'int', { ...EVENT, quantity: 'abc' })).toEqual({ reason: 'column quantity: cannot read "abc" as int' });
  });

  it('never throws on an event that is no object', () => {
    expect(computed('hour(at)', 'int', null as unknown as Record<string, unknown>)).toMatchObject({});
  });

  it('the spec carries the checked tree, so a processing thread compiles it without the parser', () => {
    const { spec } = checkJobText('t.job.yaml', jobText('', `${BASE}  h: { expr: "hour(at)", type: int }\n`));
    const h = spec!.schema[4];
    expect(h.expr?.text).toBe('hour(at)');
    expect(h.expr?.tree).toMatchObject({ kind: 'call', name: 'hour', args: [{ kind: 'column', from: 'at', type: 'timestamp' }] });
    expect(structuredClone(spec)).toEqual(spec);
  });
});

describe('computed columns: checking', () => {
  const col = (line: string) => jobText('', `${BASE}${line}\n`);

  it('an unknown function, with did-you-mean, at its column inside the string', () => {
    const text = col('  h: { expr: "hours(at)", type: int }');
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, 'hours'), message: "in schema.h.expr: unknown function 'hours' (did you mean 'hour'?)" }]);
  });

  it('a wrong argument type, in a folded block', () => {
    const text = col('  h:\n    expr: >\n      concat(size,\n        lower(quantity))\n    type: string');
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, 'quantity))'), message: 'in schema.h.expr: lower() needs a string, but quantity is int' }]);
  });

  it('a syntax error', () => {
    const text = col('  h: { expr: "quantity +", type: int }');
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, '+', 0, 1), message: "in schema.h.expr: expected a value, a name or '(' but found the end of the filter" }]);
  });

  it('literal arguments: date_trunc units, to_timestamp formats, regexes', () => {
    const text = col(
      '  a: { expr: "date_trunc(\'week\', at)", type: timestamp }\n' +
        '  b: { expr: "to_timestamp(size, \'yyyy-MM-dd hh:mm\')", type: timestamp }\n' +
        '  c: { expr: "regexp_extract(size, \'(a\')", type: string }\n' +
        '  d: { expr: "to_timestamp(size, size)", type: timestamp }',
    );
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, "'week'"), message: "in schema.a.expr: date_trunc() unit must be 'hour', 'day', 'month', got 'week'" },
      { ...positionOf(text, "'yyyy"), message: "in schema.b.expr: unknown format letter 'h' in 'yyyy-MM-dd hh:mm' (known: yyyy MM dd HH mm ss SSS, or 'iso8601')" },
      { ...positionOf(text, "'(a'"), message: 'in schema.c.expr: invalid regular expression: /(a/: Unterminated group' },
      { ...positionOf(text, 'size)"'), message: 'in schema.d.expr: to_timestamp() needs a string literal here, not size' },
    ]);
  });

  it('argument counts and if() types', () => {
    const text = col('  a: { expr: "substring(size)", type: string }\n  b: { expr: "if(size, 1, 2)", type: int }');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'substring'), message: 'in schema.a.expr: substring() takes 2 to 3 arguments, got 1' },
      { ...positionOf(text, 'size, 1'), message: 'in schema.b.expr: if() needs a boolean, but size is string' },
    ]);
  });

  it('a value that can never be the declared type', () => {
    const text = col('  a: { expr: "quantity > 2", type: int }\n  b: { expr: "hour(at)", type: boolean }');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'quantity > 2'), message: 'in schema.a.expr: the expression is a boolean, which can never be read as int' },
      { ...positionOf(text, 'hour(at)'), message: 'in schema.b.expr: the expression is a number, which can never be read as boolean' },
    ]);
  });

  it('from and expr together', () => {
    const text = col('  a: { from: size, expr: "upper(size)", type: string }');
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, 'expr'), message: "schema.a has both 'from' and 'expr'; give one of them" }]);
  });

  it('where: and later expressions read a computed column by name, as its coerced value', () => {
    const job = compiled(
      jobText(
        'where: h >= 12 and h2 is not null and label in ("L-3", "S-1")\n',
        `${BASE}  h: { expr: "hour(at)", type: int }\n  h2: { expr: "h * 2", type: long }\n  label: { expr: "concat(substring(size, 1, 1), '-', quantity)", type: string }\n`,
      ),
    );
    expect(job.filter(EVENT, meta)).toBe(true);
    expect(job.filter({ ...EVENT, at: '2026-11-22T11:00:00Z' }, meta)).toBe(false);
    expect(job.filter({ ...EVENT, quantity: '2' }, meta)).toBe(false);
    expect(job.filter({ ...EVENT, at: null }, meta)).toBe(false);
    const out: OutputValue[] = [];
    expect(job.project(EVENT, meta, out)).toBeUndefined();
    expect(out.slice(4)).toEqual([15, 30n, 'L-3']);
    // The record prefilter must not look for 'L-3' in the bytes: the event holds no such text.
    expect(requiredLiterals(job.filterTree!)).toBeUndefined();
  });

  it('a computed column read where its type can never match, or before it is declared', () => {
    const text = jobText('where: h == "x"\n', `${BASE}  g: { expr: "h + 1", type: int }\n  h: { expr: "hour(at)", type: int }\n`);
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'h + 1'), message: "in schema.g.expr: 'h' is a computed column declared after this one; declare it first, or repeat its expression here (hour(at))" },
      { ...positionOf(text, '== "x"'), message: 'in where: h == "x" can never be true: h is int, "x" is a string' },
    ]);
  });

  it("an expr's own name reads the event field of that name, untyped", () => {
    const job = compiled(jobText('', '  size: { expr: "lower(size)", type: string }\n  n: { expr: "n + 1", type: int }\n'));
    const out: OutputValue[] = [];
    expect(job.project({ size: 'LARGE', n: 2 }, meta, out)).toBeUndefined();
    expect(out).toEqual(['large', 3]);
    expect(job.project({ size: 'LARGE', n: '2' }, meta, out)).toBeUndefined();
    expect(out).toEqual(['large', null]);
  });

  it('an expr may read a column declared after it', () => {
    expect(errorsOf(jobText('', '  h: { expr: "hour(at)", type: int }\n  at: timestamp\n'))).toEqual([]);
  });

  it('the key table: an unknown key offers expr, and the JSON Schema has it', () => {
    const text = col('  a: { exp: "upper(size)", type: string }');
    expect(errorsOf(text)[0].message).toBe("unknown key 'exp' in schema.a (did you mean 'expr'?)");
    const column = (jobJsonSchema().properties as Record<string, { additionalProperties: { anyOf: Record<string, unknown>[] } }>).schema.additionalProperties.anyOf[1];
    expect(column).toMatchObject({ properties: { expr: { type: 'string' } }, not: { required: ['from', 'expr'] } });
  });
});

describe('computed columns: gamepipe test', () => {
  it('expected rows include computed columns, read as their type', () => {
    const text = jobText(
      'tests:\n' +
        '  - name: hour\n    event: { at: "2026-11-22T15:42:07.123Z", quantity: "3" }\n    expect: { h: 15, d: "2026-11-22", q: 4 }\n' +
        '  - name: wrong\n    event: { at: "2026-11-22T15:42:07.123Z", quantity: "3" }\n    expect: { h: 16 }\n',
      `${BASE}  h: { expr: "hour(at)", type: int }\n  d: { expr: "date_trunc('day', at)", type: date }\n  q: { expr: "quantity + 1", type: long }\n`,
    );
    expect(runJobTests(compiled(text)).map((r) => [r.name, r.passed, r.diff])).toEqual([
      ['hour', true, []],
      ['wrong', false, ['h: expected 16, got 15']],
    ]);
  });
});
