import { describe, expect, it } from 'vitest';
import { checkJobText } from '../../src/dsl/check-job.js';
import { errorsOf, jobText, positionOf } from './job-text.js';

const SCHEMA = '  event_type: string\n  quantity: int\n  price: double\n  payload: json\n  event_ts: timestamp\n  played_on: date\n  premium: boolean\n';

function withPartitions(list: string): string {
  return jobText('', SCHEMA).replace('  path: data/t\n', `  path: data/t\n  partition_by: ${list}\n`);
}

describe('sink.partition_by', () => {
  it('takes columns, time transforms of a timestamp and dt, in any order, named as Iceberg names them', () => {
    const { spec, diagnostics } = checkJobText('t.job.yaml', withPartitions('[day(event_ts), event_type, hour( event_ts ), month(event_ts), quantity, premium, played_on, dt]'));
    expect(diagnostics).toEqual([]);
    expect(spec!.sink.partitionBy).toEqual([
      { name: 'event_ts_day', text: 'day(event_ts)', transform: 'day', source: 4, type: 'date' },
      { name: 'event_type', text: 'event_type', transform: 'identity', source: 0, type: 'string' },
      { name: 'event_ts_hour', text: 'hour(event_ts)', transform: 'hour', source: 4, type: 'string' },
      { name: 'event_ts_month', text: 'month(event_ts)', transform: 'month', source: 4, type: 'string' },
      { name: 'quantity', text: 'quantity', transform: 'identity', source: 1, type: 'int' },
      { name: 'premium', text: 'premium', transform: 'identity', source: 6, type: 'boolean' },
      { name: 'played_on', text: 'played_on', transform: 'identity', source: 5, type: 'date' },
      { name: 'dt', text: 'dt', transform: 'dt', source: -1, type: 'date' },
    ]);
  });

  it('takes a computed column like any other', () => {
    const text = withPartitions('[kind]').replace('  premium: boolean\n', '  premium: boolean\n  kind: { expr: "lower(event_type)", type: string }\n');
    expect(checkJobText('t.job.yaml', text).spec!.sink.partitionBy.map((f) => f.name)).toEqual(['kind']);
  });

  it('reports an unknown column at its place, with a did-you-mean', () => {
    const text = withPartitions('[event_typ, day(event_tss)]');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'event_typ,'), message: "sink.partition_by: 'event_typ' is not a column of the schema (did you mean 'event_type'?); partition_by takes schema columns, dt, and hour/day/month(column)" },
      { ...positionOf(text, 'event_tss'), message: "sink.partition_by: 'day(event_tss)': 'event_tss' is not a column of the schema (did you mean 'event_ts'?)" },
    ]);
  });

  it('reports an unknown transform with a did-you-mean, and text that is no entry', () => {
    const text = withPartitions('[dya(event_ts), "event type"]');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'dya'), message: "sink.partition_by: 'dya(event_ts)': unknown partition transform 'dya' (did you mean 'day'?); partition_by takes hour(column), day(column) and month(column)" },
      { ...positionOf(text, 'event type'), message: "sink.partition_by: 'event type' is not a partition column: write a column name, dt, or hour(column), day(column), month(column)" },
    ]);
  });

  it('refuses a transform of a column that is no timestamp, at the column', () => {
    const text = withPartitions('[hour(quantity)]');
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, 'quantity)'), message: "sink.partition_by: 'hour(quantity)': hour() takes a timestamp column, and 'quantity' is int" }]);
  });

  it('refuses double, json and bare timestamp columns', () => {
    const text = withPartitions('[price, payload, event_ts]');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'price,'), message: "sink.partition_by: 'price' is double; a partition column must be string, int, long, boolean, date (a folder per distinct value of it would be no use)" },
      { ...positionOf(text, 'payload,'), message: "sink.partition_by: 'payload' is json; a partition column must be string, int, long, boolean, date (a folder per distinct value of it would be no use)" },
      { ...positionOf(text, 'event_ts]'), message: "sink.partition_by: 'event_ts' is a timestamp, which would make a folder per millisecond: partition by hour(event_ts), day(event_ts) or month(event_ts)" },
    ]);
  });

  it('refuses decimal and nested columns, naming their type', () => {
    const text = withPartitions('[amount, item]').replace('  premium: boolean\n', '  premium: boolean\n  amount: decimal(10,2)\n  item: { type: { struct: { name: string } } }\n');
    expect(errorsOf(text).map((e) => e.message)).toEqual([
      "sink.partition_by: 'amount' is decimal(10,2); a partition column must be string, int, long, boolean, date (a folder per distinct value of it would be no use)",
      "sink.partition_by: 'item' is struct<name string>; a partition column must be string, int, long, boolean, date (a folder per distinct value of it would be no use)",
    ]);
  });

  it('refuses the same partition column twice and a name a schema column has', () => {
    const twice = withPartitions('[day(event_ts), day( event_ts)]');
    expect(errorsOf(twice)).toEqual([{ ...positionOf(twice, 'day( event_ts)'), message: "sink.partition_by: 'day(event_ts)' makes partition column 'event_ts_day', as 'day(event_ts)' does already" }]);
    const taken = withPartitions('[day(event_ts)]').replace('  premium: boolean\n', '  premium: boolean\n  event_ts_day: date\n');
    expect(errorsOf(taken)).toEqual([{ ...positionOf(taken, 'day(event_ts)'), message: "sink.partition_by: 'day(event_ts)' makes partition column 'event_ts_day', and the schema has a column of that name, which its folders would hide; rename that column" }]);
    const dt = withPartitions('[dt]').replace('  premium: boolean\n', '  premium: boolean\n  dt: string\n');
    expect(errorsOf(dt)).toEqual([{ ...positionOf(dt, 'dt]'), message: "sink.partition_by: 'dt': dt is the UTC day of the Kafka record time, and the schema has a column 'dt' too, which the dt= folders would hide; rename that column" }]);
  });

  it('reports the same entry twice and an empty one once, as the list check does', () => {
    const text = withPartitions('[dt, dt, ""]');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'dt', 1), message: "sink.partition_by lists 'dt' twice" },
      { ...positionOf(text, '""'), message: 'sink.partition_by[2] must not be empty' },
    ]);
  });

  it('does not report again a column whose own entry is wrong', () => {
    const text = withPartitions('[level]').replace('  premium: boolean\n', '  premium: boolean\n  level: integer\n');
    expect(errorsOf(text).map((e) => e.message)).toEqual([expect.stringContaining("schema.level must be one of")]);
  });

  it('keeps [dt] as it was: the record-time day', () => {
    const { spec } = checkJobText('t.job.yaml', withPartitions('[dt]'));
    expect(spec!.sink.partitionBy).toEqual([{ name: 'dt', text: 'dt', transform: 'dt', source: -1, type: 'date' }]);
  });
});
