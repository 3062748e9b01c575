import { DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJobText } from '../../src/dsl/check-job.js';
import { compileJob } from '../../src/dsl/compile-job.js';
import { openJobStore } from '../../src/table/open-job-store.js';
import { produce, seedEvents, type GameEvent } from '../support/events.js';
import { createTopic, kafkaClient, suffix, uniqueTopic } from '../support/kafka.js';
import { runOnce } from '../support/runner-process.js';

// A partition's position below or beyond the table's checkpoint, on the real broker:
// - records deleted past the checkpoint (kafka-delete-records) make the job resume at the log start
//   without a false fence and without reading its first batch twice.

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

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

async function withAdmin<T>(work: (admin: ReturnType<ReturnType<typeof kafkaClient>['admin']>) => Promise<T>): Promise<T> {
  const admin = kafkaClient('gamepipe-test-admin').admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

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
