import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { RecordProcessor } from '../../../src/runtime/processing/record-processor.js';
import { decodeRecords, type RecordSet } from '../../../src/kafka/record-batches.js';
import type { SealedReply } from '../../../src/runtime/processing/worker-protocol.js';
import { compiled, jobText } from '../../dsl/job-text.js';
import { encodeRecordBatch, encodeRecordBatches, type TestRecord } from '../../support/record-batches.js';

const horses = compiled(jobText('where: event_type == "horse"\non_bad_record: dead_letter\n', '  event_type: string\n  quantity: int\n', 'horses'));
const swords = compiled(jobText('where: event_type == "sword"\non_bad_record: fail\n', '  event_type: string\n  quantity: int\n', 'swords'));

async function records(from: number, values: string[]): Promise<RecordSet> {
  return decodeRecords(await encodeRecordBatches(from, values), from, []);
}

function rowsOf(sealed: SealedReply) {
  return {
    range: [sealed.from, sealed.next],
    rows: sealed.groups.flatMap(([, ipc]) => tableFromIPC(ipc).toArray().map((r) => r.toJSON())),
    rejected: sealed.rejected ? tableFromIPC(sealed.rejected).toArray().map((r) => r.toJSON().reason) : [],
    counts: [sealed.readRecords, sealed.rows, sealed.rejectedRows],
  };
}

describe('RecordProcessor', () => {
  function twoJobs() {
    const processor = new RecordProcessor();
    processor.addJob(1, horses.spec, horses.filterTree);
    processor.addJob(2, swords.spec, swords.filterTree);
    processor.open(1, 0, 0);
    processor.open(2, 0, 0);
    return processor;
  }

  it('offers each record to every listed job and seals each job its own rows as Arrow IPC', async () => {
    const processor = twoJobs();
    const reply = processor.process(9, 'events', 0, [1, 2], await records(0, ['{"event_type":"horse","quantity":2}', '{"event_type":"sword","quantity":1}', 'not json']));
    expect(reply.failures).toEqual([{ job: 2, partition: 0, offset: 2, reason: expect.stringContaining('not JSON') }]);
    expect(reply.batches).toEqual([
      { job: 1, partition: 0, from: 0, rows: 1, rejectedRows: 1, bytes: expect.any(Number) },
      { job: 2, partition: 0, from: 0, rows: 1, rejectedRows: 0, bytes: expect.any(Number) },
    ]);
    const horseBatch = rowsOf(processor.seal(10, 1, 0));
    expect(horseBatch).toMatchObject({ range: [0, 3], rows: [{ event_type: 'horse', quantity: 2 }], counts: [3, 1, 1] });
    expect(horseBatch.rejected[0]).toContain('not JSON');
    // The failing job's batch ends before its bad record, and it takes nothing more of the partition.
    expect(rowsOf(processor.seal(11, 2, 0))).toMatchObject({ range: [0, 2], rows: [{ event_type: 'sword', quantity: 1 }] });
    processor.process(12, 'events', 0, [1, 2], await records(3, ['{"event_type":"sword"}']));
    expect(rowsOf(processor.seal(13, 2, 0))).toMatchObject({ range: [2, 2], rows: [] });
  });

  it('skips records below a job\'s next offset (a re-delivery after a seek for another job)', async () => {
    const processor = twoJobs();
    processor.process(1, 'events', 0, [1], await records(0, ['{"event_type":"horse"}', '{"event_type":"horse"}']));
    processor.process(2, 'events', 0, [1], await records(1, ['{"event_type":"horse"}', '{"event_type":"horse"}']));
    expect(rowsOf(processor.seal(3, 1, 0))).toMatchObject({ range: [0, 3], counts: [3, 3, 0] });
  });

  it('drops the open batch when a partition is opened again (a fence) and goes on from there', async () => {
    const processor = twoJobs();
    processor.process(1, 'events', 0, [1], await records(0, ['{"event_type":"horse"}', '{"event_type":"horse"}']));
    processor.open(1, 0, 10);
    processor.process(2, 'events', 0, [1], await records(10, ['{"event_type":"horse","quantity":5}']));
    expect(rowsOf(processor.seal(3, 1, 0))).toMatchObject({ range: [10, 11], rows: [{ quantity: 5 }] });
  });

  it('opens a batch at the checkpoint that takes records from past it (records deleted): one commit covers both', async () => {
    const processor = twoJobs();
    processor.open(1, 0, 1000, 1500);
    processor.process(1, 'events', 0, [1], await records(1500, ['{"event_type":"horse","quantity":1}', '{"event_type":"horse","quantity":2}']));
    expect(rowsOf(processor.seal(2, 1, 0))).toMatchObject({ range: [1000, 1502], rows: [{ quantity: 1 }, { quantity: 2 }], counts: [2, 2, 0] });
  });

  it('takes a restarted log from below the checkpoint in the same open batch, after what it held', async () => {
    const processor = twoJobs();
    processor.open(1, 0, 1000);
    processor.process(1, 'events', 0, [1], await records(1000, ['{"event_type":"horse","quantity":1}']));
    // The topic was created again: its offsets start over at 0, below the batch's records.
    processor.jump(1, 0, 0);
    processor.process(2, 'events', 0, [1], await records(0, ['{"event_type":"horse","quantity":2}', '{"event_type":"horse","quantity":3}']));
    expect(rowsOf(processor.seal(3, 1, 0))).toMatchObject({ range: [1000, 2], rows: [{ quantity: 1 }, { quantity: 2 }, { quantity: 3 }], counts: [3, 3, 0] });
    // The next batch goes on from the new log's offsets, re-deliveries below them dropped.
    processor.process(4, 'events', 0, [1], await records(1, ['{"event_type":"horse","quantity":3}', '{"event_type":"horse","quantity":4}']));
    expect(rowsOf(processor.seal(5, 1, 0))).toMatchObject({ range: [2, 3], rows: [{ quantity: 4 }] });
    // Opened at a checkpoint beyond a restarted log, with nothing to read: the batch still moves it back.
    processor.open(2, 0, 1000, 0);
    expect(rowsOf(processor.seal(6, 2, 0))).toMatchObject({ range: [1000, 0], rows: [], counts: [0, 0, 0] });
  });

  it('refuses records for a job that holds no open batch of the partition, rather than dropping them', async () => {
    const processor = twoJobs();
    processor.close(1, 0);
    const unopened = await records(0, ['{}']);
    expect(() => processor.process(1, 'events', 0, [1], unopened)).toThrow(/no open batch/);
    expect(() => processor.seal(2, 1, 0)).toThrow(/no open batch/);
  });

  it('passes over records no job can keep without decoding them, and still rejects the bad ones', async () => {
    const processor = new RecordProcessor();
    processor.addJob(1, horses.spec, horses.filterTree);
    processor.open(1, 0, 0);
    const values = [
      '{"event_type":"sword","quantity":1}',
      '{"event_type":"horse","quantity":2}',
      '{"event_type":"sword"', // not JSON, and no "horse" in it: still a dead letter
      '[1,2]', // JSON, not an object
      '{"event_type":"hors\\u0065","quantity":3}', // an escape spells "horse": decoded, and kept
      '{"note":"horse"}', // holds the value, but not as event_type: decoded, dropped by the filter
    ];
    processor.process(1, 'events', 0, [1], await records(0, values));
    const sealed = rowsOf(processor.seal(2, 1, 0));
    expect(sealed).toMatchObject({ range: [0, 6], rows: [{ quantity: 2 }, { quantity: 3 }], counts: [6, 2, 2] });
    expect(sealed.rejected).toEqual([expect.stringContaining('not JSON'), expect.stringContaining('not a JSON object')]);
  });

  it('reads $key from each record only when a job asks for it', async () => {
    const keyed = compiled(jobText('', '  event_type: string\n  player: { from: $key, type: string }\n', 'keyed'));
    const processor = new RecordProcessor();
    processor.addJob(1, keyed.spec, keyed.filterTree);
    processor.open(1, 0, 0);
    const fetched: TestRecord[] = [
      { key: 'ana', value: '{"event_type":"a"}' },
      { key: null, value: '{"event_type":"b"}' },
    ];
    processor.process(1, 'events', 0, [1], decodeRecords(await encodeRecordBatch(0, fetched), 0, []));
    expect(rowsOf(processor.seal(2, 1, 0)).rows).toEqual([
      { event_type: 'a', player: 'ana' },
      { event_type: 'b', player: null },
    ]);
  });
});
