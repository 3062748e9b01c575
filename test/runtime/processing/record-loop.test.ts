import { describe, expect, it } from 'vitest';
import { UNPARTITIONED } from '../../../src/dsl/partition-values.js';
import { PartitionBuffer } from '../../../src/runtime/processing/partition-buffer.js';
import { decodeRecord, ReusableRecordMeta } from '../../../src/runtime/processing/record-decoder.js';
import { RecordLoop } from '../../../src/runtime/processing/record-loop.js';
import { BadRecordError } from '../../../src/runtime/bad-record-error.js';
import { MAX_BATCH_PARTITIONS } from '../../../src/dsl/partition-values.js';
import { compiled, jobText } from '../../dsl/job-text.js';

const job = compiled(jobText('include: [raw_event]\non_bad_record: dead_letter\n', '  event_type: string\n  quantity: int\n'));

/** Offers each value (bytes) as consecutive records of partition 0; the buffer's rows and dead letters. */
function run(values: Buffer[]) {
  const loop = new RecordLoop(job);
  const buffer = new PartitionBuffer(0, 0, job.columns);
  const meta = new ReusableRecordMeta();
  meta.topic = 'events';
  values.forEach((value, offset) => {
    meta.offset = String(offset);
    loop.offer(buffer, offset, value.length, decodeRecord(value, meta), meta);
  });
  const sealed = buffer.seal();
  const table = sealed.groups.get(UNPARTITIONED)?.toArrowTable();
  const rows = table?.toArray().map((r) => r.toJSON()) ?? [];
  const rejected = sealed.rejected?.toArrowTable().toArray().map((r) => r.toJSON()) ?? [];
  // The bytes stored for each raw_event: reading the column back would hide invalid UTF-8 again.
  const data = table?.getChild('raw_event')?.data[0];
  const rawBytes = rows.map((_, i) => Buffer.from(data!.values.subarray(data!.valueOffsets[i], data!.valueOffsets[i + 1])));
  return { rows, rejected, rawBytes };
}

describe('RecordLoop', () => {
  it('keeps raw_event as the text the record decodes to, valid UTF-8 or not', () => {
    const valid = Buffer.from('{"event_type":"épée ⚔","quantity":"2"}');
    // 0xff is no UTF-8: decoding gives U+FFFD, and raw_event must hold that, not the byte.
    const invalid = Buffer.concat([Buffer.from('{"event_type":"a'), Buffer.from([0xff]), Buffer.from('","quantity":3}')]);
    const { rows, rawBytes } = run([valid, invalid, Buffer.from('{"event_type":"b"}')]);
    expect(rows).toEqual([
      { event_type: 'épée ⚔', quantity: 2, raw_event: valid.toString() },
      { event_type: 'a\ufffd', quantity: 3, raw_event: invalid.toString() },
      { event_type: 'b', quantity: null, raw_event: '{"event_type":"b"}' },
    ]);
    expect(rawBytes).toEqual([valid, Buffer.from(invalid.toString()), Buffer.from('{"event_type":"b"}')]);
    expect(rawBytes[1]).not.toEqual(invalid);
  });

  it('dead-letters a record that does not project, with its raw text, and goes on', () => {
    const { rows, rejected } = run([Buffer.from('{"event_type":"x","quantity":"abc"}'), Buffer.from('{"event_type":"y","quantity":1}')]);
    expect(rows).toEqual([{ event_type: 'y', quantity: 1, raw_event: '{"event_type":"y","quantity":1}' }]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ raw_event: '{"event_type":"x","quantity":"abc"}', topic: 'events', partition: 0, offset: 0n });
  });

  it('groups rows by their partition_by values', () => {
    const partitioned = compiled(jobText('', '  event_type: string\n  event_ts: timestamp\n').replace('  path: data/t\n', '  path: data/t\n  partition_by: [event_type, day(event_ts)]\n'));
    const loop = new RecordLoop(partitioned);
    const buffer = new PartitionBuffer(0, 0, partitioned.columns);
    const meta = new ReusableRecordMeta();
    meta.topic = 'events';
    const events = [
      { event_type: 'a', event_ts: '2026-11-22T10:00:00Z' },
      { event_type: 'b', event_ts: '2026-11-22T11:00:00Z' },
      { event_type: 'a', event_ts: '2026-11-22T23:59:59Z' },
      { event_type: null, event_ts: null },
    ];
    events.forEach((e, offset) => {
      const value = Buffer.from(JSON.stringify(e));
      meta.offset = String(offset);
      loop.offer(buffer, offset, value.length, decodeRecord(value, meta), meta);
    });
    const groups = [...buffer.seal().groups].map(([values, batch]) => [values, batch.rowCount]);
    expect(groups).toEqual([
      [{ event_type: 'a', event_ts_day: '2026-11-22' }, 2],
      [{ event_type: 'b', event_ts_day: '2026-11-22' }, 1],
      [{ event_type: null, event_ts_day: null }, 1],
    ]);
  });

  it(`stops at the record that would open partition ${MAX_BATCH_PARTITIONS + 1} of a batch, whatever on_bad_record says, keeping what came before`, () => {
    const partitioned = compiled(jobText('on_bad_record: skip\n', '  quantity: int\n').replace('  path: data/t\n', '  path: data/t\n  partition_by: [quantity]\n'));
    const loop = new RecordLoop(partitioned);
    const buffer = new PartitionBuffer(3, 0, partitioned.columns);
    const meta = new ReusableRecordMeta();
    meta.topic = 'events';
    const offer = (offset: number, quantity: number) => {
      const value = Buffer.from(JSON.stringify({ quantity }));
      meta.offset = String(offset);
      loop.offer(buffer, offset, value.length, decodeRecord(value, meta), meta);
    };
    for (let i = 0; i < MAX_BATCH_PARTITIONS; i++) offer(i, i);
    // A row of a partition the batch has already is taken.
    offer(MAX_BATCH_PARTITIONS, 7);
    let error: unknown;
    try {
      offer(MAX_BATCH_PARTITIONS + 1, 123_456);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as Error).message).toBe(
      `job t: a batch of events/3 would write ${MAX_BATCH_PARTITIONS + 1} partitions, more than the ${MAX_BATCH_PARTITIONS} allowed; ` +
        `stopped at offset ${MAX_BATCH_PARTITIONS + 1} with nothing from it on written: partition_by [quantity] splits the data too finely`,
    );
    // The batch ends before the record: the job commits up to it and stops there.
    expect(buffer.next).toBe(MAX_BATCH_PARTITIONS + 1);
    expect(buffer.rows).toBe(MAX_BATCH_PARTITIONS + 1);
    expect(buffer.groupCount).toBe(MAX_BATCH_PARTITIONS);
  });

  it('makes a row whose partition value is too long for a folder name a bad record', () => {
    const partitioned = compiled(jobText('', '  event_type: string\n').replace('  path: data/t\n', '  path: data/t\n  partition_by: [event_type]\n'));
    const loop = new RecordLoop(partitioned);
    const buffer = new PartitionBuffer(0, 0, partitioned.columns);
    const meta = new ReusableRecordMeta();
    meta.topic = 'events';
    ['ok', 'y'.repeat(300), 'ok'].forEach((eventType, offset) => {
      const value = Buffer.from(JSON.stringify({ event_type: eventType }));
      meta.offset = String(offset);
      loop.offer(buffer, offset, value.length, decodeRecord(value, meta), meta);
    });
    const sealed = buffer.seal();
    expect([...sealed.groups].map(([values, batch]) => [values, batch.rowCount])).toEqual([[{ event_type: 'ok' }, 2]]);
    expect(sealed.rejected!.toArrowTable().toArray().map((r) => [r.toJSON().offset, r.toJSON().reason])).toEqual([
      [1n, 'partition column event_type: its value makes a folder name of 311 bytes, more than the 255 a file system takes'],
    ]);
  });
});
