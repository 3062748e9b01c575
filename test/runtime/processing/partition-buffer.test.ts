import { describe, expect, it } from 'vitest';
import { UNPARTITIONED } from '../../../src/dsl/partition-values.js';
import type { OutputValue } from '../../../src/dsl/job-spec.js';
import { PartitionBuffer } from '../../../src/runtime/processing/partition-buffer.js';

const COLUMNS = [{ name: 'id', type: 'string' as const }];
const row = (id: string): OutputValue[] => [id];

/** Takes records [from, to) as the record loop does: one row each, into the unpartitioned group. */
function take(buffer: PartitionBuffer, from: number, to: number): void {
  for (let offset = from; offset < to; offset++) {
    buffer.addRow(UNPARTITIONED, row(`r${offset}`));
    buffer.readRecords++;
    buffer.next = offset + 1;
  }
}

describe('PartitionBuffer', () => {
  it('seals the open batch with its offset range and starts again empty where it ended', () => {
    const buffer = new PartitionBuffer(3, 100, COLUMNS);
    expect(buffer.dirty).toBe(false);
    take(buffer, 100, 105);
    expect(buffer.dirty).toBe(true);

    const sealed = buffer.seal();
    expect(sealed).toMatchObject({ partition: 3, from: 100, next: 105, rows: 5, readRecords: 5 });
    expect(sealed.groups.get(UNPARTITIONED)!.rowCount).toBe(5);
    expect(buffer).toMatchObject({ from: 105, next: 105, rows: 0, readRecords: 0, dirty: false });

    // Records taken after the seal go to a new batch; the sealed one is untouched.
    take(buffer, 105, 107);
    expect(sealed.groups.get(UNPARTITIONED)!.rowCount).toBe(5);
    expect(buffer.seal()).toMatchObject({ from: 105, next: 107, rows: 2 });
  });

  it('reuses a recycled batch, emptied, for the next rows', () => {
    const buffer = new PartitionBuffer(0, 0, COLUMNS);
    take(buffer, 0, 3);
    const first = buffer.seal();
    const batch = first.groups.get(UNPARTITIONED)!;
    buffer.recycle(first);
    expect(batch.rowCount).toBe(0);
    take(buffer, 3, 4);
    expect(buffer.seal().groups.get(UNPARTITIONED)).toBe(batch);
  });

  it('after a fence, drops the open batch and restarts at the checkpoint', () => {
    const buffer = new PartitionBuffer(0, 10, COLUMNS);
    take(buffer, 10, 20);
    buffer.restartAt(15);
    expect(buffer).toMatchObject({ from: 15, next: 15, rows: 0, dirty: false });
  });
});
