import { describe, expect, it } from 'vitest';
import { BatchCommits } from '../../../src/runtime/job-runner/batch-commits.js';
import type { FlushResult } from '../../../src/runtime/job-runner/commit-sealed-batch.js';
import type { Logger } from '../../../src/logger.js';
import type { SealedReply } from '../../../src/runtime/processing/worker-protocol.js';
import type { CommitResult, JobStore } from '../../../src/table/job-store.js';

const sealed = (partition: number, from: number, next: number): SealedReply => ({
  type: 'sealed', id: 1, partition, from, next, groups: [], rejected: undefined, rows: next - from, rejectedRows: 0, skippedRows: 0, readRecords: next - from,
});

/** Batch commits over a store that answers each commit with `answer`, and what they did. */
function commitsOver(answer: () => Promise<CommitResult>) {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  const log = { info: (o: object, m: string) => lines.push(['info', o as Record<string, unknown>, m]), warn: (o: object, m: string) => lines.push(['warn', o as Record<string, unknown>, m]) } as unknown as Logger;
  const offsets: Array<[number, number]> = [];
  const committed: FlushResult[] = [];
  const store = { commit: answer } as unknown as JobStore;
  const commits = new BatchCommits({ job: 'j', topic: 't', store, log, commitOffset: (p, n) => offsets.push([p, n]), committed: (r) => committed.push(r) });
  return { commits, lines, offsets, committed };
}

describe("a job's batch commits (a store that answers at once)", () => {
  it('commits the group offset, logs the batch, then reports it', async () => {
    const { commits, lines, offsets, committed } = commitsOver(async () => ({ outcome: 'committed', files: ['a.parquet'], bytes: 10 }));
    commits.commit(2, Promise.resolve(sealed(2, 5, 9)), () => expect.unreachable());
    await commits.settleAll();
    expect(offsets).toEqual([[2, 9]]);
    expect(lines).toHaveLength(1);
    const [level, fields, msg] = lines[0]!;
    expect([level, msg]).toEqual(['info', 'batch committed']);
    expect(Object.keys(fields)).toEqual(['job', 'topic', 'partition', 'offsets', 'read', 'written', 'rejected', 'skipped', 'files', 'bytes', 'durationMs']);
    expect(fields).toMatchObject({ job: 'j', partition: 2, offsets: [5, 9], read: 4, written: 4, files: ['a.parquet'], bytes: 10 });
    expect(committed.map((r) => r.outcome)).toEqual(['committed']);
  });

  it('hands a fenced commit its checkpoint, and commits no offset', async () => {
    const { commits, lines, offsets, committed } = commitsOver(async () => ({ outcome: 'fenced', resumeAt: 7 }));
    const fenced: number[] = [];
    commits.commit(0, Promise.resolve(sealed(0, 0, 3)), (resumeAt) => fenced.push(resumeAt));
    await commits.settle(0);
    expect(fenced).toEqual([7]);
    expect(lines).toEqual([['warn', { job: 'j', topic: 't', partition: 0, next: 7 }, 'batch fenced by another committer; resuming at its checkpoint']]);
    expect([offsets, committed]).toEqual([[], []]);
  });

  it('keeps the first failure: every later wait throws it, settleAll(false) does not', async () => {
    let n = 0;
    const { commits } = commitsOver(async () => {
      throw new Error(`store down ${++n}`);
    });
    commits.commit(0, Promise.resolve(sealed(0, 0, 1)), () => {});
    await commits.settleAll(false);
    commits.commit(1, Promise.resolve(sealed(1, 0, 1)), () => {});
    await expect(commits.settle(1)).rejects.toThrow('store down 1');
    await expect(commits.settle(5)).rejects.toThrow('store down 1');
    await expect(commits.settleAll()).rejects.toThrow('store down 1');
  });

  it('counts a seal that failed as a failed commit', async () => {
    const { commits } = commitsOver(async () => expect.unreachable());
    commits.commit(0, Promise.reject(new Error('thread gone')), () => {});
    await expect(commits.settleAll()).rejects.toThrow('thread gone');
  });
});
