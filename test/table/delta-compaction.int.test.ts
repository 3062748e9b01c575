import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openJobStore } from '../../src/table/open-job-store.js';
import { deltaJob, horseBatch, s3TablePath } from '../support/delta-jobs.js';
import { readWithDeltaRs } from '../support/delta-rs.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const NOW = Date.UTC(2026, 10, 22, 12);

describe.each([
  ['a local path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-delta-compact-'));
    dirs.push(dir);
    return join(dir, 'horses');
  }],
  ['s3:// on MinIO', async () => s3TablePath('horses')],
])('Delta compaction on %s', (_, makePath) => {
  it('rewrites a closed day into one file beside a live writer, and no row is lost or doubled', async () => {
    const path = await makePath();
    const job = deltaJob(path);
    const writer = openJobStore(job);
    await writer.open();
    let quantity = 0;
    let offset = 0;
    const commitDay = async (partition: number, dt: string) => {
      const batch = horseBatch(job, offset, offset + 1, [['large', quantity++]], [], dt);
      offset++;
      expect((await writer.commit({ ...batch, partition, from: batch.from, next: batch.next })).outcome).toBe('committed');
    };
    // Partition 0 fills the closed day with small files; partition 1 keeps writing while compaction runs.
    for (let i = 0; i < 6; i++) await commitDay(0, '2026-11-20');
    const before = await readWithDeltaRs(path);
    expect(before.files).toBe(6);

    offset = 0;
    const compactor = openJobStore(job);
    const live = (async () => {
      for (let i = 0; i < 8; i++) await commitDay(1, i % 2 ? '2026-11-20' : '2026-11-22');
    })();
    const [report] = await Promise.all([compactor.compact({ includeToday: false, minFiles: 2, now: NOW }), live]);
    expect(report.results).toHaveLength(1);
    const result = report.results[0]!;
    expect(result.partition).toBe('dt=2026-11-20');
    if (result.outcome !== 'compacted') throw new Error(`not compacted: ${result.reason}`);
    // The six files, plus any the live writer added to the day before the compaction looked.
    expect(result.filesBefore).toBeGreaterThanOrEqual(6);
    expect(result.rows).toBe(result.filesBefore);

    const after = await readWithDeltaRs(path, ['quantity']);
    expect(after.values.quantity!.map(Number).sort((a, b) => a - b)).toEqual([...Array(quantity).keys()]);
    // The files it read became one; the live writer's later files stay beside it.
    expect(after.files).toBe(6 + 8 - result.filesBefore + 1);
    const again = await compactor.compact({ includeToday: false, minFiles: 2, now: NOW });
    expect(again.results[0]).toMatchObject({ partition: 'dt=2026-11-20', outcome: 'compacted', filesBefore: 1 + 4 - (result.filesBefore - 6) });
    expect((await readWithDeltaRs(path)).rows).toBe(quantity);
  });
});
