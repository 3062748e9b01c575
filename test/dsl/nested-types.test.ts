import { describe, expect, it } from 'vitest';
import { checkJobText } from '../../src/dsl/check-job.js';
import { decimalText, readDecimal } from '../../src/dsl/coerce-decimal.js';
import { typeText } from '../../src/dsl/column-types.js';
import type { DecimalType, OutputValue, RecordMeta } from '../../src/dsl/job-spec.js';
import { runJobTests } from '../../src/dsl/run-job-tests.js';
import { compiled, errorsOf, jobText, positionOf } from './job-text.js';

const meta: RecordMeta = { topic: 'events', partition: 0, offset: '1', timestamp: 0, key: null, raw: '{}' };

const ORDER_SCHEMA = [
  '  amount: decimal(10,2)',
  '  item:',
  '    type:',
  '      struct:',
  '        name: string',
  '        price: decimal(10,2)',
  '  items:',
  '    type:',
  '      list:',
  '        struct: { sku: string, price: double }',
  '  counts:',
  '    type: { map: long }',
  '  tags: { from: labels, type: { list: string } }',
  '',
].join('\n');

/** Projects one event through the order job; the row or the bad-record reason. */
function project(event: Record<string, unknown>): { row?: OutputValue[]; reason?: string } {
  const job = compiled(jobText('', ORDER_SCHEMA));
  const out: OutputValue[] = new Array(job.columns.length).fill(null);
  const reason = job.project(event, meta, out);
  return reason === undefined ? { row: out } : { reason };
}

describe('nested and decimal column types: checking', () => {
  it('reads decimal, struct, list and map types into the spec', () => {
    const { spec, diagnostics } = checkJobText('t.job.yaml', jobText('', ORDER_SCHEMA));
    expect(diagnostics).toEqual([]);
    expect(spec!.schema.map((c) => [c.name, c.from, typeText(c.type)])).toEqual([
      ['amount', 'amount', 'decimal(10,2)'],
      ['item', 'item', 'struct<name string, price decimal(10,2)>'],
      ['items', 'items', 'list<struct<sku string, price double>>'],
      ['counts', 'counts', 'map<string, long>'],
      ['tags', 'labels', 'list<string>'],
    ]);
    expect(spec!.schema[0]!.type).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
  });

  it('accepts decimal(p) as scale 0, quoted decimals in flow mappings and spaces after the comma', () => {
    const { spec, diagnostics } = checkJobText('t.job.yaml', jobText('', '  a: decimal(5)\n  b: { type: "decimal(38, 38)" }\n'));
    expect(diagnostics).toEqual([]);
    expect(spec!.schema.map((c) => c.type)).toEqual([
      { kind: 'decimal', precision: 5, scale: 0 },
      { kind: 'decimal', precision: 38, scale: 38 },
    ]);
  });

  it('reports a misspelt type with a did-you-mean at the value', () => {
    const text = jobText('', '  amount: decmial(10,2)\n  item:\n    type:\n      strcut: { name: string }\n  items:\n    type:\n      list: dobule\n');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'decmial'), message: "schema.amount must be one of string, int, long, double, boolean, timestamp, date, json or decimal(p,s), got 'decmial(10,2)' (did you mean 'decimal(10,2)'?)" },
      { ...positionOf(text, 'strcut'), message: "unknown key 'strcut' in schema.item.type (did you mean 'struct'?); a nested type is one of struct, list or map" },
      {
        ...positionOf(text, 'dobule'),
        message: "schema.items.type.list must be one of string, int, long, double, boolean, timestamp, date, json or decimal(p,s), or a mapping { struct: {...} }, { list: type } or { map: type }, got 'dobule' (did you mean 'double'?)",
      },
    ]);
  });

  it('reports precision and scale out of bounds at the type', () => {
    const text = jobText('', '  a: decimal(39,2)\n  b: decimal(0,0)\n  c: { type: "decimal(5,6)" }\n  d: decimal\n');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'decimal(39'), message: 'schema.a: the precision of decimal(39,2) must be 1 to 38 digits, got 39' },
      { ...positionOf(text, 'decimal(0'), message: 'schema.b: the precision of decimal(0,0) must be 1 to 38 digits, got 0' },
      { ...positionOf(text, '"decimal(5'), message: 'schema.c.type: the scale of decimal(5,6) (digits after the point) must be 0 to its precision 5, got 6' },
      { ...positionOf(text, 'decimal\n'), message: 'schema.d: write a decimal type with its precision and scale, like decimal(10,2)' },
    ]);
  });

  it('says to quote a decimal cut at its comma by a flow mapping', () => {
    const text = jobText('', '  a: { from: x, type: decimal(10,2) }\n');
    expect(errorsOf(text).map((e) => e.message)).toContain('schema.a.type: write a decimal type with its precision and scale, like decimal(10,2) (inside { } quote it: "decimal(10,2)")');
  });

  it('reports bad struct fields, empty and doubled nested types at their place', () => {
    const text = jobText('', '  a:\n    type:\n      struct:\n        bad-name: string\n        ok: intt\n  b: { type: { struct: {} } }\n  c: { type: { list: int, map: int } }\n  d: { type: {} }\n');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'bad-name'), message: "'bad-name' in schema.a.type.struct is not a valid field name (letters, digits and _ , not starting with a digit)" },
      { ...positionOf(text, 'intt'), message: expect.stringMatching(/^schema\.a\.type\.struct\.ok must be one of .*got 'intt' \(did you mean 'int'\?\)$/) },
      { ...positionOf(text, '{}', 0), message: 'schema.b.type.struct must be a mapping of field names to types, like { name: string, price: "decimal(10,2)" }, got an empty mapping' },
      { ...positionOf(text, 'map: int'), message: 'schema.c.type names more than one of struct, list and map; give one' },
      { ...positionOf(text, '{}', 1), message: 'schema.d.type must name struct, list or map, like { list: double }' },
    ]);
  });

  it('refuses a nested type on a computed column, saying why', () => {
    const text = jobText('', '  n: int\n  pair: { expr: "n + 1", type: { list: int } }\n  cost: { expr: "round(n * 1.5, 2)", type: "decimal(10,2)" }\n');
    expect(errorsOf(text)).toEqual([
      {
        ...positionOf(text, '{ list'),
        message: 'schema.pair.type is list<int>; a computed column (expr:) has a scalar type (string, int, long, double, boolean, timestamp, date, json or decimal(p,s)): read a struct, list or map with from:',
      },
    ]);
  });

  it('refuses a boolean expression as a decimal', () => {
    const text = jobText('', '  n: int\n  flag: { expr: "n > 1", type: "decimal(3,0)" }\n');
    expect(errorsOf(text)[0]!.message).toBe('in schema.flag.expr: the expression is a boolean, which can never be read as decimal(3,0)');
  });

  it('lets a filter read inside a struct column by path and compare a decimal column as a number', () => {
    const job = compiled(jobText('where: "item.price > 10 and amount >= 12.3"\n', ORDER_SCHEMA));
    expect(job.filter({ item: { price: '10.5' }, amount: '12.30' }, meta)).toBe(true);
    expect(job.filter({ item: { price: 9 }, amount: '12.30' }, meta)).toBe(false);
    expect(job.filter({ item: { price: 11 }, amount: '12.29' }, meta)).toBe(false);
  });
});

describe('nested and decimal column types: coercion', () => {
  it('builds struct, list, map and decimal values from an event', () => {
    const { row } = project({
      amount: '12.30',
      item: { name: 'horse', price: 1999.5, extra: true },
      items: [{ sku: 'a', price: '1.5' }, { sku: 'b' }, null],
      counts: { eu: 3, us: '4' },
      labels: ['x', 2],
    });
    expect(row).toEqual([1230n, ['horse', 199950n], [['a', 1.5], ['b', null], null], [['eu', 3n], ['us', 4n]], ['x', '2']]);
  });

  it('gives null for missing or null nested values and for a struct field the object lacks', () => {
    expect(project({ item: {} }).row).toEqual([null, [null, null], null, null, null]);
    expect(project({ item: null, items: [], counts: {} }).row).toEqual([null, null, [], [], null]);
  });

  it('names the path of a wrong element in the bad-record reason', () => {
    expect(project({ items: [{}, {}, {}, { price: 'x' }] }).reason).toBe('column items[3].price: cannot read "x" as double');
    expect(project({ counts: { 'e u': 'many' } }).reason).toBe('column counts["e u"]: cannot read "many" as long');
    expect(project({ item: 'horse' }).reason).toBe('column item: cannot read "horse" as struct<name string, price decimal(10,2)>');
    expect(project({ items: { sku: 'a' } }).reason).toBe('column items: cannot read {"sku":"a"} as list<struct<sku string, price double>>');
    expect(project({ counts: [1] }).reason).toBe('column counts: cannot read [1] as map<string, long>');
  });

  it('refuses decimals with too many digits, naming the column and the bound', () => {
    expect(project({ amount: '12.345' }).reason).toBe('column amount: cannot read "12.345" as decimal(10,2): more than 2 digits after the point');
    expect(project({ amount: '123456789' }).reason).toBe('column amount: cannot read "123456789" as decimal(10,2): more than 8 digits before the point');
    expect(project({ item: { price: 0.001 } }).reason).toBe('column item.price: cannot read 0.001 as decimal(10,2): more than 2 digits after the point');
    expect(project({ amount: 'twelve' }).reason).toBe('column amount: cannot read "twelve" as decimal(10,2): not a decimal number');
  });

  it('follows the job test expectations through the same coercion', () => {
    const text = jobText(
      [
        'tests:',
        '  - name: order',
        '    event: { amount: "12.3", item: { name: horse, price: 5 }, counts: { eu: 1 } }',
        '    expect: { amount: "12.30", item: { name: horse, price: "5.00" }, counts: { eu: 2 } }',
        '',
      ].join('\n'),
      ORDER_SCHEMA,
    );
    const [result] = runJobTests(compiled(text));
    expect(result!.diff).toEqual(['counts: expected {"eu":"2"}, got {"eu":"1"}']);
  });
});

describe('readDecimal: exact decimal text', () => {
  const d = (precision: number, scale: number): DecimalType => ({ kind: 'decimal', precision, scale });
  const good: [unknown, DecimalType, bigint][] = [
    ['12.30', d(10, 2), 1230n], ['12.3', d(10, 2), 1230n], ['12', d(10, 2), 1200n], ['-0.99', d(10, 2), -99n],
    ['+.5', d(3, 1), 5n], ['12.300', d(10, 2), 1230n], ['0012.30', d(4, 2), 1230n], ['1.5e2', d(5, 0), 150n],
    ['1200e-2', d(4, 2), 1200n], ['99999999999999999999999999999999999999', d(38, 0), 10n ** 38n - 1n],
    ['-0', d(1, 0), 0n], [12.3, d(10, 2), 1230n], [0.1, d(1, 1), 1n], [1e21, d(22, 0), 10n ** 21n], [7n, d(2, 1), 70n],
  ];
  it.each(good)('%s in %o is %s', (input, type, unscaled) => {
    expect(readDecimal(input, type)).toBe(unscaled);
  });

  const bad: [unknown, DecimalType, string][] = [
    ['1.005', d(10, 2), 'more than 2 digits after the point'],
    ['100', d(3, 1), 'more than 2 digits before the point'],
    ['1e40', d(38, 0), 'more than 38 digits before the point'],
    ['1e-40', d(38, 38), 'more than 38 digits after the point'],
    ['', d(3, 1), 'not a decimal number'], ['.', d(3, 1), 'not a decimal number'], [' 1', d(3, 1), 'not a decimal number'],
    [Infinity, d(3, 1), 'not a finite number'], [true, d(3, 1), 'not a number or decimal text'],
    [0.1 + 0.2, d(20, 18), 'a JSON number keeps 15 significant digits exactly, this one has 17; send it as text ("12.30"), or round() it in an expr'],
  ];
  it.each(bad)('%s in %o: %s', (input, type, reason) => {
    expect(readDecimal(input, type)).toBe(reason);
  });

  it('prints unscaled values back as decimal text', () => {
    expect([decimalText(1230n, 2), decimalText(-5n, 2), decimalText(7n, 0), decimalText(-(10n ** 37n), 38)]).toEqual(['12.30', '-0.05', '7', '-0.10000000000000000000000000000000000000']);
  });
});
