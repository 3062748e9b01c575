import { DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJobText } from '../../src/dsl/check-job.js';
import { compileJob } from '../../src/dsl/compile-job.js';
import { openJobStore } from '../../src/table/open-job-store.js';
import { produce, seedEvents, type GameEvent } from '../support/events.js';
import { createTopic, referenceKafka, suffix, uniqueTopic } from '../support/kafka.js';
import { eventually, RunnerProcess, runOnce } from '../support/runner-process.js';

// A partition's position below or beyond the table's checkpoint, on the real broker:
// - a topic deleted and created again starts its offsets at 0, below the checkpoint: every record
//   of the new topic must be written once (and the old topic's rows must stay), with one warn line;
// - records deleted past the checkpoint (kafka-delete-records) make the job resume at the log start
//   without a false fence and without reading its first batch twice.

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const RESET_WARNING = 'the log restarted below the checkpoint (topic recreated?); reading it from its start';

type Format = 'parquet' | 'delta';

function jobText(name: string, topic: string, path: string, format: Format): string {
  return `job: ${name}
source: { topic: ${topic}, start: earliest }
schema:
  event_id: string
  offset: { from: $offset, type: long }
sink:
  path: ${path}
  format: ${format}
trigger: 200ms
`;
}

interface JobDir {
  dir: string;
  name: string;
  text: string;
}

async function jobDir(prefix: string, topic: string, format: Format): Promise<JobDir> {
  const dir = await mkdtemp(join(tmpdir(), `gamepipe-${prefix}-`));
  dirs.push(dir);
  const name = `${prefix.replaceAll('-', '_')}_${suffix(topic)}`;
  const text = jobText(name, topic, join(dir, 'out', name), format);
  await mkdir(join(dir, 'jobs'));
  await writeFile(join(dir, 'jobs', `${name}.job.yaml`), text);
  return { dir, name, text };
}

/** The table's rows, read with DuckDB from the data files the table format lists as live. */
async function tableRows(job: JobDir): Promise<{ event_id: string; offset: number }[]> {
  const { spec } = checkJobText(`${job.name}.job.yaml`, job.text);
  const files = await openJobStore(compileJob(spec!)).files('output');
  if (files.length === 0) return [];
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const list = files.map((f) => `'${f.url.replaceAll("'", "''")}'`).join(', ');
    const reader = await conn.runAndReadAll(`SELECT event_id, "offset" FROM read_parquet([${list}], union_by_name = true)`);
    return (reader.getRowObjectsJS() as { event_id: string; offset: bigint }[]).map((r) => ({ event_id: r.event_id, offset: Number(r.offset) }));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Every event of `expected` exactly once, and nothing else. */
function expectExactlyOnce(rows: { event_id: string }[], expected: GameEvent[]): void {
  const ids = rows.map((r) => r.event_id);
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).length;
  const missing = expected.filter((e) => !counts.has(e.event_id!)).length;
  expect({ rows: ids.length, twice, missing }).toEqual({ rows: expected.length, twice: 0, missing: 0 });
}

function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function withAdmin<T>(work: (admin: ReturnType<ReturnType<typeof referenceKafka>['admin']>) => Promise<T>): Promise<T> {
  const admin = referenceKafka('gamepipe-test-admin').admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes `topic` and creates it again, empty, once the broker has finished deleting it. */
async function recreateTopic(topic: string): Promise<void> {
  await withAdmin((admin) => admin.deleteTopics({ topics: [topic], timeout: 30_000 }));
  await eventually(
    async () => {
      try {
        await createTopic(topic);
        return true;
      } catch {
        return false; // still marked for deletion
      }
    },
    60_000,
    `topic ${topic} to be created again`,
  );
  // The new log answers (its end offset is 0) before anything is produced to it.
  await eventually(async () => (await withAdmin((admin) => admin.fetchTopicOffsets(topic)))[0]?.high === '0', 30_000, 'the new topic');
}

describe.each<Format>(['parquet', 'delta'])('a topic deleted and created again below the checkpoint (%s)', (format) => {
  it('--once reads the new topic from its start and writes every record once, saying so in one warn line', { timeout: 180_000 }, async () => {
    const topic = uniqueTopic('recreated');
    await createTopic(topic);
    const job = await jobDir('recreated', topic, format);
    // The old topic is committed in two batches, [0, 200) and [200, 1000): the new topic's batches
    // start at the same offsets again, and their files must not replace the old ones.
    const old = seedEvents(1000);
    await produce(topic, old.slice(0, 200));
    expect((await runOnce(job.dir, 'jobs')).code).toBe(0);
    await produce(topic, old.slice(200));
    expect((await runOnce(job.dir, 'jobs')).code).toBe(0);
    expectExactlyOnce(await tableRows(job), old);

    await recreateTopic(topic);
    const fresh = seedEvents(1200);
    await produce(topic, fresh.slice(0, 200));
    const run = await runOnce(job.dir, 'jobs');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const warnings = logLines(run.stdout).filter((l) => l.msg === RESET_WARNING);
    expect(warnings).toEqual([expect.objectContaining({ level: 40, job: job.name, topic, partition: 0, checkpoint: 1000, earliest: 0, latest: 200, restartAt: 0 })]);
    expectExactlyOnce(await tableRows(job), [...old, ...fresh.slice(0, 200)]);

    // The long-running runner goes on from the new checkpoint (200): no warning, nothing twice.
    const runner = new RunnerProcess(job.dir, ['jobs']);
    try {
      await runner.waitForLog((l) => l.msg === 'partitions assigned' && (l.offsets as Record<string, number>)['0'] === 200);
      await produce(topic, fresh.slice(200));
      await eventually(async () => (await tableRows(job)).length >= old.length + fresh.length, 60_000, 'the new records');
    } finally {
      expect(await runner.stop()).toBe(0);
    }
    expect(runner.logs.filter((l) => l.msg === RESET_WARNING)).toEqual([]);
    const rows = await tableRows(job);
    expectExactlyOnce(rows, [...old, ...fresh]);
    // The new topic's records carry its own offsets, 0 to 1199.
    const freshIds = new Set(fresh.map((e) => e.event_id));
    expect(rows.filter((r) => freshIds.has(r.event_id)).map((r) => r.offset).sort((a, b) => a - b)).toEqual(fresh.map((_, i) => i));
  });

  it('a running runner meets the new topic as an offset out of range and reads it from its start', { timeout: 180_000 }, async () => {
    const topic = uniqueTopic('recreated-live');
    await createTopic(topic);
    const job = await jobDir('recreated-live', topic, format);
    const old = seedEvents(1000);
    await produce(topic, old);
    const runner = new RunnerProcess(job.dir, ['jobs']);
    const fresh = seedEvents(1200);
    try {
      await eventually(async () => (await tableRows(job)).length >= old.length, 60_000, 'the old records');
      // Committed up to 1000, reading on at 1000: the new log ends below that.
      await recreateTopic(topic);
      await produce(topic, fresh.slice(0, 200));
      await eventually(async () => (await tableRows(job)).length >= old.length + 200, 90_000, 'the new topic records');
      await produce(topic, fresh.slice(200));
      await eventually(async () => (await tableRows(job)).length >= old.length + fresh.length, 60_000, 'the later records');
    } finally {
      expect(await runner.stop()).toBe(0);
    }
    const warnings = runner.logs.filter((l) => l.msg === RESET_WARNING);
    expect(warnings).toEqual([expect.objectContaining({ level: 40, job: job.name, topic, partition: 0, checkpoint: 1000, restartAt: 0 })]);
    expectExactlyOnce(await tableRows(job), [...old, ...fresh]);
  });
});

describe('records deleted past the checkpoint (delete_records)', () => {
  it('resumes at the log start in the same commit: no fence, no batch read twice, every row once', { timeout: 120_000 }, async () => {
    const topic = uniqueTopic('truncated');
    await createTopic(topic);
    const job = await jobDir('truncated', topic, 'parquet');
    const events = seedEvents(2000);
    await produce(topic, events.slice(0, 1000));
    expect((await runOnce(job.dir, 'jobs')).code).toBe(0);
    await produce(topic, events.slice(1000));
    // The log now starts at 1500, past the checkpoint (1000).
    await withAdmin(async (admin) => {
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '1500' }] });
    });

    const run = await runOnce(job.dir, 'jobs');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = logLines(run.stdout);
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual(['records past the checkpoint were deleted by retention; resuming at the earliest offset']);
    // The commits take the checkpoint from 1000 to 2000, one range after the other, with the 500
    // records left, each read once (the first commit moves the checkpoint past the deleted ones).
    const commits = lines.filter((l) => l.msg === 'batch committed').map((c) => ({ offsets: c.offsets as [number, number], read: c.read as number }));
    expect(commits[0]!.offsets[0]).toBe(1000);
    expect(commits.at(-1)!.offsets[1]).toBe(2000);
    for (let i = 1; i < commits.length; i++) expect(commits[i]!.offsets[0]).toBe(commits[i - 1]!.offsets[1]);
    expect(commits.reduce((sum, c) => sum + c.read, 0)).toBe(500);
    expectExactlyOnce(await tableRows(job), [...events.slice(0, 1000), ...events.slice(1500)]);
  });
});
