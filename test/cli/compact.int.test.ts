import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../src/query/catalog.js';
import { jobTables } from '../../src/query/job-tables.js';
import { loadJobs } from '../../src/dsl/load-jobs.js';
import { TableCommitter } from '../../src/table/folder/commit-protocol.js';
import { tableLayout, type TableLayout } from '../../src/table/folder/layout.js';
import type { CompactionStep } from '../../src/table/folder/compaction/pause-point.js';
import { createTopic, uniqueTopic } from '../support/kafka.js';
import { RunnerProcess } from '../support/runner-process.js';
import { commitBatches } from '../support/committed-table.js';
import { gamepipe } from '../support/gamepipe-cli.js';

const BIN = join(import.meta.dirname, '../../bin/gamepipe.js');
const CLOSED_DAY = 'dt=2026-11-20';

async function tableWithSmallFiles(root: string, name: string, partitioned = true): Promise<{ dir: string; layout: TableLayout; committer: TableCommitter; ids: string[] }> {
  const dir = join(root, name);
  await mkdir(join(dir, 'jobs'), { recursive: true });
  await writeFile(
    join(dir, 'jobs', `${name}.job.yaml`),
    `job: ${name}\nsource: { topic: fixture }\nschema:\n  event_id: string\n  quantity: int\nsink:\n  path: ${join(dir, 'data', name)}\n${partitioned ? '  partition_by: [dt]\n' : ''}`,
  );
  const layout = tableLayout(join(dir, 'data', name));
  const committer = new TableCommitter(layout);
  await committer.open();
  const ids = await commitBatches(committer, layout, CLOSED_DAY, 6, 5);
  return { dir, layout, committer, ids };
}

/** What a glob reader sees: every id, and whether any id appears twice. */
async function readIds(catalog: Catalog, table: string): Promise<{ ids: string[]; rows: number }> {
  const result = await catalog.query(`SELECT event_id FROM ${table} ORDER BY event_id`);
  const ids = result.text.map((r) => r[0]!);
  return { ids: [...new Set(ids)], rows: ids.length };
}

/** Starts `gamepipe compact` paused at `step`; resolves once it says so. */
async function compactPausedAt(dir: string, job: string, step: CompactionStep) {
  const child = spawn(process.execPath, [BIN, 'compact', job, '--jobs', 'jobs'], { cwd: dir, env: { ...process.env, GAMEPIPE_COMPACT_PAUSE_AT: step }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes(`compaction paused at ${step}`)) resolve();
    });
    child.once('exit', () => reject(new Error(`compact exited before pausing at ${step}: ${stderr}`)));
  });
  return { kill9: async () => (child.kill('SIGKILL'), await exited) };
}

describe('gamepipe compact', () => {
  let root: string;
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('survives kill -9 at every step: readers see each row once throughout, and the next run finishes the job', async () => {
    root = await mkdtemp(join(tmpdir(), 'gamepipe-compact-'));
    const steps: CompactionStep[] = ['marked', 'built', 'recorded', 'swapped', 'moved'];
    for (const step of steps) {
      const { dir, ids } = await tableWithSmallFiles(root, `kill_${step}`);
      const catalog = await openCatalog(jobTables((await loadJobs([join(dir, 'jobs')])).jobs));
      try {
        const expected = [...ids].sort();
        expect(await readIds(catalog, `kill_${step}`)).toEqual({ ids: expected, rows: ids.length });
        const paused = await compactPausedAt(dir, `kill_${step}`, step);
        expect(await readIds(catalog, `kill_${step}`), `while paused at ${step}`).toEqual({ ids: expected, rows: ids.length });
        await paused.kill9();
        expect(await readIds(catalog, `kill_${step}`), `after kill -9 at ${step}`).toEqual({ ids: expected, rows: ids.length });

        const again = await gamepipe(dir, ['compact', `kill_${step}`, '--jobs', 'jobs']);
        expect(again.code, again.stderr).toBe(0);
        expect(await readIds(catalog, `kill_${step}`), `after recovery from ${step}`).toEqual({ ids: expected, rows: ids.length });
        const files = (await readdir(join(dir, 'data', `kill_${step}`, CLOSED_DAY))).filter((n) => n.endsWith('.parquet'));
        expect(files, `one compacted file after ${step}`).toHaveLength(1);
        expect(await readdir(join(dir, 'data', `kill_${step}`, '_gamepipe', 'compaction'))).toEqual([]);
        expect(await readdir(join(dir, 'data')), 'no work folder left').toEqual([`kill_${step}`]);
      } finally {
        catalog.close();
      }
    }
  });

  it('keeps a concurrent reader exact while it runs, and a commit into the partition waits for it', async () => {
    const { dir, layout, committer, ids } = await tableWithSmallFiles(root, 'live');
    const catalog = await openCatalog(jobTables((await loadJobs([join(dir, 'jobs')])).jobs));
    try {
      const paused = await compactPausedAt(dir, 'live', 'marked');
      let committed = false;
      const late = commitBatches(committer, layout, CLOSED_DAY, 1, 5, 'fixture', ids.length).then((extra) => ((committed = true), extra));
      // The compactor holds the partition: the commit is staged and its intent made, but it waits.
      await new Promise((r) => setTimeout(r, 500));
      expect(committed).toBe(false);
      expect(await readIds(catalog, 'live')).toEqual({ ids: [...ids].sort(), rows: ids.length });
      await paused.kill9();
      const all = [...ids, ...(await late)].sort();

      let reads = 0;
      let running = true;
      const reader = (async () => {
        while (running) {
          expect(await readIds(catalog, 'live')).toEqual({ ids: all, rows: all.length });
          reads++;
        }
      })();
      const out = await gamepipe(dir, ['compact', 'live', '--jobs', 'jobs']);
      running = false;
      await reader;
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain(`${CLOSED_DAY}: 7 files`);
      expect(reads).toBeGreaterThan(0);
      expect(await readIds(catalog, 'live')).toEqual({ ids: all, rows: all.length });
    } finally {
      catalog.close();
    }
  });

  it('says in one line that an unpartitioned table needs a partition_by', async () => {
    const { dir } = await tableWithSmallFiles(root, 'flat', false);
    const out = await gamepipe(dir, ['compact', 'flat', '--jobs', 'jobs']);
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toContain('compaction works per partition and needs a `partition_by` in its sink, such as [dt]');
  });

  it('refuses without python3, in one line, and changes nothing', async () => {
    const { dir, layout } = await tableWithSmallFiles(root, 'nopython');
    const before = (await readdir(join(layout.table, CLOSED_DAY))).sort();
    const out = await gamepipe(dir, ['compact', 'nopython', '--jobs', 'jobs'], { env: { ...process.env, PATH: '/nonexistent' } });
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toContain('compaction needs python3');
    expect((await readdir(join(layout.table, CLOSED_DAY))).sort()).toEqual(before);
    expect(await readdir(join(layout.state, 'compaction'))).toEqual([]);
  });
});

describe('gamepipe-run --compact-closed', () => {
  it('compacts the closed days of the jobs it runs, through the store each job writes with', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gamepipe-autocompact-'));
    try {
      const { dir, layout, ids } = await tableWithSmallFiles(root, 'auto');
      // The job must start for the runner to hand it to the compactor: give it a topic that exists.
      const topic = uniqueTopic('autocompact');
      await createTopic(topic, 1);
      const file = join(dir, 'jobs', 'auto.job.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('topic: fixture', `topic: ${topic}`));
      const runner = new RunnerProcess(dir, ['--compact-closed', '--metrics-port', '0', 'jobs']);
      try {
        const done = await runner.waitForLog((l) => l.msg === 'partition compacted' && l.job === 'auto', 30_000);
        expect(done).toMatchObject({ partition: CLOSED_DAY, files: 6, rows: ids.length });
      } finally {
        expect(await runner.stop('SIGTERM')).toBe(0);
      }
      const files = (await readdir(join(layout.table, CLOSED_DAY))).filter((n) => n.endsWith('.parquet'));
      expect(files).toHaveLength(1);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
