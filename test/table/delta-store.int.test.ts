import { cp, mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitKey } from '../../src/table/delta/actions.js';
import { DeltaLog } from '../../src/table/delta/delta-log.js';
import { ORPHAN_AGE_MS, removeOrphans } from '../../src/table/delta/orphans.js';
import { parquetEncoderByName } from '../../src/parquet/parquet-encoder.js';
import { SchemaChangeError } from '../../src/table/schema-change.js';
import { objectStoreAt, openJobStore } from '../../src/table/open-job-store.js';
import { deltaJob, horseBatch, s3TablePath } from '../support/delta-jobs.js';
import { readWithDeltaRs } from '../support/delta-rs.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function localTablePath(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gamepipe-delta-'));
  dirs.push(dir);
  return join(dir, name);
}

describe.each([
  ['a local path', () => localTablePath('horses')],
  ['s3:// on MinIO', async () => s3TablePath('horses')],
])('a Delta job store on %s', (_, makePath) => {
  it('commits batches with their offsets and dead letters, and delta-rs reads exactly them', async () => {
    const path = await makePath();
    const job = deltaJob(path);
    const store = openJobStore(job);
    await store.open();
    expect(await store.committedOffsets('events')).toEqual(new Map());

    const first = await store.commit(horseBatch(job, 0, 4, [['large', 1], ['small', 2], [null, 3]], [3]));
    expect(first.outcome).toBe('committed');
    const second = await store.commit(horseBatch(job, 4, 7, [['large', 4]], [5, 6]));
    expect(second.outcome).toBe('committed');
    expect((await store.committedOffsets('events')).get(0)?.next).toBe(7);

    const output = await readWithDeltaRs(path, ['size', 'quantity']);
    expect(output.rows).toBe(4);
    expect(output.values.quantity!.map(Number).sort()).toEqual([1, 2, 3, 4]);
    expect(output.schema).toEqual([['size', 'PrimitiveType("string")'], ['quantity', 'PrimitiveType("integer")'], ['dt', 'PrimitiveType("date")']]);
    const rejected = await readWithDeltaRs(`${path}_rejected`, ['offset', 'reason']);
    expect(rejected.values.offset!.map(Number).sort()).toEqual([3, 5, 6]);
    expect((await store.files('output')).length).toBe(output.files);

    // A second writer with its own cache sees the same table, and a batch over a committed range is fenced.
    const other = openJobStore(job);
    await other.open();
    expect(await other.commit(horseBatch(job, 0, 9, [['large', 9]], [8]))).toEqual({ outcome: 'fenced', resumeAt: 7 });
    expect((await readWithDeltaRs(path)).rows).toBe(4);
    expect((await readWithDeltaRs(`${path}_rejected`)).rows).toBe(3);
  });

  it('lets two writers racing for one version both land different partitions, and fences the same range', async () => {
    const path = await makePath();
    const job = deltaJob(path);
    const a = openJobStore(job);
    const b = openJobStore(job);
    await Promise.all([a.open(), b.open()]);
    const onPartition = (p: number, batch: ReturnType<typeof horseBatch>) => ({ ...batch, partition: p });
    // Same range of partition 0 from both: exactly one may win.
    const same = await Promise.all([a.commit(horseBatch(job, 0, 2, [['large', 1]])), b.commit(horseBatch(job, 0, 3, [['small', 2]]))]);
    expect(same.map((r) => r.outcome).sort()).toEqual(['committed', 'fenced']);
    // Different partitions at the same moment: the loser of the version race retries at the next version.
    const different = await Promise.all([a.commit(onPartition(1, horseBatch(job, 0, 5, [['large', 5]]))), b.commit(onPartition(2, horseBatch(job, 0, 6, [['large', 6]])))]);
    expect(different.map((r) => r.outcome)).toEqual(['committed', 'committed']);
    // One writer's partitions commit concurrently too (each partition's commit runs on its own).
    const oneWriter = await Promise.all([3, 4, 5].map((p) => a.commit(onPartition(p, horseBatch(job, 0, 1, [['small', p]])))));
    expect(oneWriter.map((r) => r.outcome)).toEqual(['committed', 'committed', 'committed']);
    const read = await readWithDeltaRs(path, ['quantity']);
    expect(read.rows).toBe(6);
    expect(read.version).toBe(6);
    const offsets = await openJobStore(job).committedOffsets('events');
    expect([...offsets].map(([p, o]) => [p, o.next]).sort()).toEqual([[0, same[0]!.outcome === 'committed' ? 2 : 3], [1, 5], [2, 6], [3, 1], [4, 1], [5, 1]]);
  });
});

describe('Delta checkpoints', () => {
  it('are written every 10 commits and read by delta-rs without the JSON commits before them', async () => {
    const path = await localTablePath('horses');
    const job = deltaJob(path);
    const store = openJobStore(job);
    await store.open();
    for (let i = 0; i < 12; i++) expect((await store.commit(horseBatch(job, i * 2, i * 2 + 2, [['large', i]]))).outcome).toBe('committed');
    const log = await readdir(join(path, '_delta_log'));
    expect(log).toContain('00000000000000000010.checkpoint.parquet');
    expect(log).toContain('_last_checkpoint');

    // A copy without commits 0-10 can only be read through the checkpoint.
    const copy = await localTablePath('copy');
    await cp(path, copy, { recursive: true });
    for (let v = 0; v <= 10; v++) await unlink(join(copy, commitKey(v)));
    const read = await readWithDeltaRs(copy, ['quantity']);
    expect(read.version).toBe(12);
    expect(read.values.quantity!.map(Number).sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
    // gamepipe itself resumes from the checkpoint too.
    const resumed = openJobStore(deltaJob(copy));
    await resumed.open();
    expect((await resumed.committedOffsets('events')).get(0)?.next).toBe(24);
  });
});

describe('Delta schema changes', () => {
  it('adds a new job column to the table on the next commit, and refuses a changed type at open', async () => {
    const path = await localTablePath('horses');
    const before = deltaJob(path);
    const store = openJobStore(before);
    await store.open();
    await store.commit(horseBatch(before, 0, 1, [['large', 1]]));

    const after = deltaJob(path, 'size: string\n  quantity: int\n  speed: double');
    const widened = openJobStore(after);
    await widened.open();
    await widened.commit(horseBatch(after, 1, 2, [['small', 2, 7.5]]));
    const read = await readWithDeltaRs(path, ['quantity', 'speed']);
    expect(read.schema.map(([name]) => name)).toEqual(['size', 'quantity', 'dt', 'speed']);
    expect(read.values.speed!.map((v) => (v === null ? null : Number(v))).sort()).toEqual([7.5, null]);

    const changed = openJobStore(deltaJob(path, 'size: string\n  quantity: string\n  speed: double'));
    await expect(changed.open()).rejects.toThrow(SchemaChangeError);
    await expect(changed.open()).rejects.toThrow(/^table .*horses: column 'quantity' is integer in the table but string in the job/);
  });
});

describe('Delta dead letters after a crash between the two commits', () => {
  it('adds each dead letter once when the batch is read again with other boundaries', async () => {
    const path = await localTablePath('horses');
    const job = deltaJob(path);
    const store = openJobStore(job);
    await store.open();
    await store.commit(horseBatch(job, 0, 10, [['large', 1]], [2]));
    await store.commit(horseBatch(job, 10, 20, [['large', 11]], [12, 18]));
    // The crash: the dead letters of [10, 20) landed, the output commit did not.
    await objectStoreAt(path).delete(commitKey(2));
    const restarted = openJobStore(job);
    await restarted.open();
    expect((await restarted.committedOffsets('events')).get(0)?.next).toBe(10);
    // Read again as [10, 25): dead letters 12 and 18 are already in; 22 is new.
    expect((await restarted.commit(horseBatch(job, 10, 25, [['large', 11]], [12, 18, 22]))).outcome).toBe('committed');
    expect((await readWithDeltaRs(`${path}_rejected`, ['offset'])).values.offset!.map(Number).sort((x, y) => x - y)).toEqual([2, 12, 18, 22]);
    expect((await readWithDeltaRs(path)).rows).toBe(2);
  });
});

describe('Delta dead letters of two members racing for one range', () => {
  it('adds each dead letter once when the loser reads on from the winner\'s checkpoint', async () => {
    const path = await localTablePath('horses');
    const job = deltaJob(path);
    const store = openJobStore(job);
    await store.open();
    await store.commit(horseBatch(job, 0, 10, [['large', 1]], [2]));
    // Member B's batch [10, 30): its dead letters land, its output commit loses to member A's.
    await store.commit(horseBatch(job, 10, 30, [['large', 11]], [12, 25]));
    await objectStoreAt(path).delete(commitKey(2));
    const a = openJobStore(job);
    await a.open();
    expect((await a.commit(horseBatch(job, 10, 20, [['large', 11]], [12]))).outcome).toBe('committed');
    // B, fenced at 20, reads on from there: 25 is in the table already.
    expect((await a.commit(horseBatch(job, 20, 30, [['large', 21]], [25]))).outcome).toBe('committed');
    expect((await readWithDeltaRs(`${path}_rejected`, ['offset'])).values.offset!.map(Number).sort((x, y) => x - y)).toEqual([2, 12, 25]);
  });
});

describe('Delta dead letters after the checkpoint moved back (a topic created again)', () => {
  const rejectedOffsets = async (path: string) => (await readWithDeltaRs(`${path}_rejected`, ['offset'])).values.offset!.map(Number).sort((x, y) => x - y);

  it('adds the new log\'s dead letters, though their offsets are below the old ones', async () => {
    const path = await localTablePath('horses');
    const job = deltaJob(path);
    const store = openJobStore(job);
    await store.open();
    await store.commit(horseBatch(job, 0, 1000, [['large', 1]], [999]));
    // The topic was created again: the batch commits from the old checkpoint, with the new offsets.
    expect((await store.commit(horseBatch(job, 1000, 200, [['large', 2]], [5, 150]))).outcome).toBe('committed');
    expect((await store.commit(horseBatch(job, 200, 400, [['large', 3]], [250]))).outcome).toBe('committed');
    expect(await rejectedOffsets(path)).toEqual([5, 150, 250, 999]);
    expect((await store.committedOffsets('events')).get(0)?.next).toBe(400);
  });

  it('still adds each dead letter once when that batch is read again after a crash between the two commits', async () => {
    const path = await localTablePath('horses');
    const job = deltaJob(path);
    const store = openJobStore(job);
    await store.open();
    await store.commit(horseBatch(job, 0, 1000, [['large', 1]], [100]));
    await store.commit(horseBatch(job, 1000, 200, [['large', 2]], [5, 150]));
    // The crash: the dead letters of the batch landed, its output commit did not.
    await objectStoreAt(path).delete(commitKey(2));
    const restarted = openJobStore(job);
    await restarted.open();
    expect((await restarted.committedOffsets('events')).get(0)?.next).toBe(1000);
    expect((await restarted.commit(horseBatch(job, 1000, 300, [['large', 2]], [5, 150, 250]))).outcome).toBe('committed');
    expect(await rejectedOffsets(path)).toEqual([5, 100, 150, 250]);
  });
});

describe('Delta orphan cleanup', () => {
  it('removes uploads no commit names once they are an hour old, and never a file a commit names', async () => {
    const path = await localTablePath('horses');
    const job = deltaJob(path);
    const store = openJobStore(job);
    await store.open();
    await store.commit(horseBatch(job, 0, 1, [['large', 1]]));
    const files = objectStoreAt(path);
    await files.put('dt=2026-11-20/part-crashed-upload.parquet', new Uint8Array([1, 2, 3]));
    const log = new DeltaLog(files, parquetEncoderByName('parquet-wasm-snappy'));

    expect(await removeOrphans(log)).toBe(0);
    expect(await removeOrphans(log, Date.now() + ORPHAN_AGE_MS + 60_000)).toBe(1);
    const left = (await files.list('dt=')).map((o) => o.key);
    expect(left).toHaveLength(1);
    expect((await store.files('output')).map((f) => f.url)).toEqual([files.url(left[0]!)]);
    expect((await readWithDeltaRs(path)).rows).toBe(1);
  });
});
