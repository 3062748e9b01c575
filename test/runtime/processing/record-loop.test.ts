import { describe, expect, it } from 'vitest';
import { UNPARTITIONED } from '../../../src/dsl/partition-values.js';
import { PartitionBuffer } from '../../../src/runtime/processing/partition-buffer.js';
import { decodeRecord, ReusableRecordMeta } from '../../../src/runtime/processing/record-decoder.js';
import { RecordLoop } from '../../../src/runtime/processing/record-loop.js';
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
});
