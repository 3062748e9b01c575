import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parquetEncoderByName } from '../../src/parquet/parquet-encoder.js';
import { TableCommitter } from '../../src/table/folder/commit-protocol.js';
import { FolderJobStore } from '../../src/table/folder/folder-store.js';
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
});
