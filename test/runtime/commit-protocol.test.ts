import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TableCommitter, type Owner } from '../../src/table/folder/commit-protocol.js';
import { checkpointPath, intentPath, tableLayout, type TableLayout } from '../../src/table/folder/layout.js';
import { deadOwner, finalPath as finalPathIn, interruptedCommit, listFiles } from '../support/interrupted-commit.js';

describe('the table commit protocol', () => {
  let root: string;
  let layout: TableLayout;
  const topic = 'events';

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'gamepipe-commit-'));
    layout = tableLayout(join(root, 'table'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const finalPath = (from: string, seq = 0, folder = '') => finalPathIn(layout, topic, from, seq, folder);

  it('commits staged files under their final names and moves the checkpoint', async () => {
    const committer = new TableCommitter(layout);
    await committer.open();
    const a = await committer.stage(Buffer.from('rows 0-9 a'), finalPath('0', 0, 'dt=2026-11-22'));
    const b = await committer.stage(Buffer.from('rows 0-9 b'), finalPath('0', 1, 'dt=2026-11-23'));
    expect(await committer.commit({ topic, partition: 0, from: '0', next: '10', files: [a, b] })).toBe('committed');

    expect(await committer.checkpoint(topic, 0)).toBe('10');
    const visible = (await listFiles(layout.table)).filter((f) => f.endsWith('.parquet'));
    expect(visible).toEqual([relative(layout.table, a.final), relative(layout.table, b.final)].sort());
    expect(await readFile(a.final, 'utf8')).toBe('rows 0-9 a');
    // Nothing of the protocol's own is left to look like data, and no intent stays behind.
    expect(await readdir(layout.intents)).toEqual([]);
    expect((await listFiles(layout.state)).filter((f) => f.endsWith('.parquet'))).toEqual([]);
  });

  it('fences a batch whose range another committer has already committed', async () => {
    const first = new TableCommitter(layout);
    const second = new TableCommitter(layout);
    await first.open();
    await second.open();
    const mine = await first.stage(Buffer.from('first'), finalPath('0', 0));
    const theirs = await second.stage(Buffer.from('second'), finalPath('0', 1));
    expect(await first.commit({ topic, partition: 0, from: '0', next: '10', files: [mine] })).toBe('committed');
    expect(await second.commit({ topic, partition: 0, from: '0', next: '8', files: [theirs] })).toBe('fenced');

    expect(await first.checkpoint(topic, 0)).toBe('10');
    expect(existsSync(theirs.final)).toBe(false);
    expect(existsSync(theirs.staged)).toBe(false);
  });

  it("rolls forward a dead owner's commit that was interrupted half way through its renames", async () => {
    const files = await interruptedCommit(layout, topic, deadOwner(), '0', '25', true);
    const committer = new TableCommitter(layout);
    await committer.open();

    expect(await committer.checkpoint(topic, 0)).toBe('25');
    for (const f of files) expect(existsSync(f.final)).toBe(true);
    expect(existsSync(intentPath(layout, topic, 0))).toBe(false);
    // The dead owner's staging folder is cleaned away.
    expect(await readdir(layout.staging)).toEqual([committer.owner.id]);
  });

  it("discards a dead owner's intent when the checkpoint has moved past its range", async () => {
    await mkdir(layout.checkpoints, { recursive: true });
    await writeFile(checkpointPath(layout, topic, 0), JSON.stringify({ topic, partition: 0, next: '40', committedAt: '' }));
    const files = await interruptedCommit(layout, topic, deadOwner(), '10', '30', false);
    const committer = new TableCommitter(layout);
    await committer.open();

    expect(await committer.checkpoint(topic, 0)).toBe('40');
    for (const f of files) expect(existsSync(f.final)).toBe(false);
    expect(existsSync(intentPath(layout, topic, 0))).toBe(false);
  });

  it("leaves a live owner's intent alone", async () => {
    const live: Owner = { host: hostname(), pid: process.pid, id: `${hostname()}-${process.pid}-0badf00d` };
    const files = await interruptedCommit(layout, topic, live, '0', '5', false);
    const committer = new TableCommitter(layout);
    await committer.open();

    expect(existsSync(intentPath(layout, topic, 0))).toBe(true);
    expect(existsSync(files[0]!.staged)).toBe(true);
    expect(await committer.checkpoint(topic, 0)).toBeUndefined();
  });
});
