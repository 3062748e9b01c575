import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parquetEncoderByName } from '../../src/parquet/parquet-encoder.js';
import { TableCommitter } from '../../src/table/folder/commit-protocol.js';
import { FolderJobStore } from '../../src/table/folder/folder-store.js';
import { mkdir, writeFile } from 'node:fs/promises';
import type { PartitionField } from '../../src/dsl/job-spec.js';
import { intentPath, tableLayout } from '../../src/table/folder/layout.js';
import { deadOwner, finalPath, interruptedCommit, listFiles } from '../support/interrupted-commit.js';

/** Every file under `dir` with its size, modification time and contents, to tell any change. */
async function snapshot(dir: string): Promise<string[]> {
  return Promise.all(
    (await listFiles(dir)).map(async (name) => {
      const path = join(dir, name);
      const info = await stat(path);
      return `${name} ${info.size} ${info.mtimeMs} ${await readFile(path, 'utf8')}`;
    }),
  );
}

describe('a folder job store', () => {
  const topic = 'events';
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'gamepipe-folder-store-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("reads committed offsets without touching a dead owner's interrupted commit, which open() settles", async () => {
    const sinkPath = join(root, 'table');
    const layout = tableLayout(sinkPath);
    const earlier = new TableCommitter(layout);
    await earlier.open();
    const first = await earlier.stage(Buffer.from('rows 0-9'), finalPath(layout, topic, '0'));
    expect(await earlier.commit({ topic, partition: 0, from: '0', next: '10', files: [first] })).toBe('committed');
    const files = await interruptedCommit(layout, topic, deadOwner(), '10', '25', true);
    const before = await snapshot(root);

    // Statuses and lag read it beside running writers: a read changes nothing.
    const store = new FolderJobStore(sinkPath, parquetEncoderByName('parquetjs-lite'), []);
    expect((await store.committedOffsets(topic)).get(0)?.next).toBe(10);
    expect(await snapshot(root)).toEqual(before);

    await store.open();
    expect((await store.committedOffsets(topic)).get(0)?.next).toBe(25);
    for (const f of files) expect(existsSync(f.final)).toBe(true);
    expect(existsSync(intentPath(layout, topic, 0))).toBe(false);
  });

  it("refuses to open a table folder written with another partition_by, naming what it found and the job's", async () => {
    const table = join(root, 'table');
    const encoder = parquetEncoderByName('parquet-wasm-snappy');
    const dt: PartitionField = { name: 'dt', text: 'dt', transform: 'dt', source: -1, type: 'date' };
    const byType: PartitionField = { name: 'event_type', text: 'event_type', transform: 'identity', source: 0, type: 'string' };
    await mkdir(join(table, 'dt=2026-11-22'), { recursive: true });
    await new FolderJobStore(table, encoder, [dt]).open();
    await expect(new FolderJobStore(table, encoder, [byType, dt]).open()).rejects.toThrow(
      `the table folder ${table} holds partition folders dt=..., but the job's partition_by is [event_type, dt]; a table's partitioning cannot change: write to a new sink.path`,
    );
    await expect(new FolderJobStore(table, encoder, []).open()).rejects.toThrow("holds partition folders dt=..., but the job's partition_by is empty");
    const flat = join(root, 'flat');
    await mkdir(flat);
    await writeFile(join(flat, 'part-events-0-00000000000000000000-0.parquet'), '');
    await new FolderJobStore(flat, encoder).open();
    await expect(new FolderJobStore(flat, encoder, [dt]).open()).rejects.toThrow("holds data files outside partition folders, but the job's partition_by is [dt]");
  });
});
