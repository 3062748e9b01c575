import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseDecimalText, SCALAR_TYPES } from '../../src/dsl/column-types.js';
import { jobJsonSchema, jobJsonSchemaText } from '../../src/dsl/json-schema.js';
import { JOB_FILE } from '../../src/dsl/key-table.js';
import { parseByteSize, parseDuration } from '../../src/dsl/units.js';

describe('schema/job.schema.json', () => {
  it('is the file the key table generates (run `npx tsx schema/generate-job-schema.ts` after changing it)', async () => {
    expect(await readFile('schema/job.schema.json', 'utf8')).toBe(jobJsonSchemaText());
  });

  it('describes every top-level key with its default and forbids others', () => {
    const schema = jobJsonSchema() as { properties: Record<string, { default?: unknown }>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual(Object.keys((JOB_FILE as { keys: object }).keys));
    expect(schema.required).toEqual(['job', 'source', 'schema', 'sink']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.trigger.default).toBe('10 seconds');
    expect(schema.properties.on_bad_record.default).toBe('dead_letter');
  });

  it('has duration and size patterns that accept what the checker accepts', () => {
    const text = jobJsonSchemaText();
    const schema = JSON.parse(text) as { properties: { trigger: { pattern: string }; sink: { properties: { max_bytes: { anyOf: { pattern?: string }[] } } } } };
    const duration = new RegExp(schema.properties.trigger.pattern);
    for (const d of ['10 seconds', '10s', '500ms', '1 minute', '2 minutes', '10 parsecs', 'soon']) expect(duration.test(d), d).toBe(parseDuration(d) !== undefined);
    const size = new RegExp(schema.properties.sink.properties.max_bytes.anyOf[1].pattern!);
    for (const s of ['64 MiB', '512 KiB', '1 GB', '10 lightyears']) expect(size.test(s), s).toBe(parseByteSize(s) !== undefined);
  });

  it('has a partition_by pattern that accepts the entries the checker reads', () => {
    const schema = jobJsonSchema() as { properties: { sink: { properties: { partition_by: { items: { pattern: string } } } } } };
    const entry = new RegExp(schema.properties.sink.properties.partition_by.items.pattern);
    for (const ok of ['dt', 'event_type', 'day(event_ts)', 'hour( event_ts )', 'month(ts)']) expect(entry.test(ok), ok).toBe(true);
    for (const bad of ['week(ts)', 'event type', 'day()', 'day(a, b)', '1st']) expect(entry.test(bad), bad).toBe(false);
  });
});

describe('schema/job.schema.json: column types', () => {
  type Definitions = Record<string, { anyOf: { enum?: string[]; pattern?: string; required?: string[]; properties?: Record<string, unknown> }[] }>;
  const definitions = (jobJsonSchema() as { definitions: Definitions }).definitions;

  it('has a decimal pattern that accepts the decimal types the checker reads', () => {
    const decimal = new RegExp(definitions.scalarColumnType!.anyOf[1]!.pattern!);
    for (const t of ['decimal(10,2)', 'decimal(10, 2)', 'decimal(38)', 'decimal( 5 , 0 )']) {
      expect(decimal.test(t), t).toBe(true);
      expect(parseDecimalText(t), t).toMatchObject({ kind: 'decimal' });
    }
    for (const t of ['decimal', 'decimal()', 'decimal(10,2', 'decmial(10,2)', 'decimal(a,b)']) expect(decimal.test(t), t).toBe(false);
    expect(definitions.scalarColumnType!.anyOf[0]!.enum).toEqual([...SCALAR_TYPES]);
  });

  it('describes struct, list and map recursively, one key each, and only under type:', () => {
    const nested = definitions.columnType!.anyOf.slice(1);
    expect(nested.map((o) => o.required)).toEqual([['struct'], ['list'], ['map']]);
    expect(nested[1]!.properties!.list).toEqual({ $ref: '#/definitions/columnType' });
    expect(nested[0]!.properties!.struct).toMatchObject({ additionalProperties: { $ref: '#/definitions/columnType' }, minProperties: 1 });
    type Option = { allOf?: { $ref: string }[]; properties?: Record<string, { allOf?: { $ref: string }[] }> };
    const column = (jobJsonSchema() as { properties: { schema: { additionalProperties: { anyOf: Option[] } } } }).properties.schema.additionalProperties;
    expect(column.anyOf[0]!.allOf).toEqual([{ $ref: '#/definitions/scalarColumnType' }]);
    expect(column.anyOf[1]!.properties!.type!.allOf).toEqual([{ $ref: '#/definitions/columnType' }]);
  });
});
