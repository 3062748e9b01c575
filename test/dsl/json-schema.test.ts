import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
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
