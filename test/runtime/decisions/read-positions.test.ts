import { describe, expect, it } from 'vitest';
import { ReadPositions } from '../../../src/runtime/decisions/read-positions.js';

describe("the topic reader's read positions", () => {
  it('do nothing before the reader is given its partitions, then seek each wanted one and pause the rest', () => {
    const positions = new ReadPositions<string>();
    expect(positions.want('a', 0, 40)).toEqual([]);
    expect(positions.want('b', 0, 25)).toEqual([]);
    expect(positions.assign([0, 1])).toEqual([
      { type: 'seek', partition: 0, offset: 25 },
      { type: 'pause', partition: 1 },
    ]);
  });

  it('read each partition from the lowest offset any job needs, and seek only when that moves', () => {
    const positions = new ReadPositions<string>();
    positions.assign([0]);
    expect(positions.want('a', 0, 100)).toEqual([{ type: 'resume', partition: 0 }, { type: 'seek', partition: 0, offset: 100 }]);
    // A job that needs less takes the reader back for it.
    expect(positions.want('b', 0, 10)).toEqual([{ type: 'seek', partition: 0, offset: 10 }]);
    // One that needs more does not move the reader.
    expect(positions.want('c', 0, 500)).toEqual([]);
    expect(positions.want('b', 0, undefined)).toEqual([{ type: 'seek', partition: 0, offset: 100 }]);
  });

  it('take the consumer where it read to, so a job asking for that offset causes no seek', () => {
    const positions = new ReadPositions<string>();
    positions.assign([3]);
    positions.want('a', 3, 0);
    positions.read(3, 250);
    // After a commit the job re-announces where it is: already there, nothing to do.
    expect(positions.want('a', 3, 250)).toEqual([]);
    // A fence sends it back to the checkpoint that fenced it.
    expect(positions.want('a', 3, 200)).toEqual([{ type: 'seek', partition: 3, offset: 200 }]);
  });

  it('point a partition again when the consumer lost it (its log ended below), even at the offset it read at', () => {
    const positions = new ReadPositions<string>();
    positions.assign([0]);
    positions.want('a', 0, 1000);
    positions.want('b', 0, 1000);
    // Both jobs move back to the new log's start: one seek, then none for the second.
    expect(positions.want('a', 0, 0)).toEqual([{ type: 'seek', partition: 0, offset: 0 }]);
    expect(positions.want('b', 0, 0)).toEqual([]);
    expect(positions.lost(0)).toEqual([{ type: 'seek', partition: 0, offset: 0 }]);
    // With no job reading it, it stays paused until one wants it, whatever offset that is.
    positions.want('a', 0, undefined);
    positions.want('b', 0, undefined);
    expect(positions.lost(0)).toEqual([]);
    expect(positions.want('a', 0, 0)).toEqual([{ type: 'resume', partition: 0 }, { type: 'seek', partition: 0, offset: 0 }]);
  });

  it('pause a partition once when its last job lets it go, and resume it when one comes back', () => {
    const positions = new ReadPositions<string>();
    positions.assign([0]);
    positions.want('a', 0, 5);
    expect(positions.want('a', 0, undefined)).toEqual([{ type: 'pause', partition: 0 }]);
    expect(positions.want('b', 0, undefined)).toEqual([]);
    expect(positions.want('b', 0, 5)).toEqual([{ type: 'resume', partition: 0 }]);
  });

  it('point every partition again after the reader rejoins its group, and ignore partitions it was not given', () => {
    const positions = new ReadPositions<string>();
    positions.assign([0, 1]);
    positions.want('a', 0, 7);
    positions.read(0, 90);
    expect(positions.want('a', 2, 3)).toEqual([]);
    // Where the consumer read before the rejoin no longer counts: each wanted partition is sought again.
    expect(positions.assign([0, 1, 2])).toEqual([
      { type: 'seek', partition: 0, offset: 7 },
      { type: 'pause', partition: 1 },
      { type: 'seek', partition: 2, offset: 3 },
    ]);
  });

  it('point only partitions added to the topic, and read on where the others are', () => {
    const positions = new ReadPositions<string>();
    positions.assign([0, 1]);
    positions.want('a', 0, 7);
    positions.read(0, 90);
    expect(positions.want('a', 2, 3)).toEqual([]);
    // Partition 0 read on past its job's assignment-time offset; going back there would read it all again.
    expect(positions.added([0, 1, 2])).toEqual([{ type: 'seek', partition: 2, offset: 3 }]);
    expect(positions.want('a', 0, 90)).toEqual([]);
  });
});
