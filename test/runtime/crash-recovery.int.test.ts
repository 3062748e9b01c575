import { mkdtemp, rm, writeFile, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { produce, seedEvents } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { parquetFiles, readTable } from '../support/parquet-read.js';
import { RunnerProcess, runOnce } from '../support/runner-process.js';

/** A job that keeps every event, with small batches so that kills land inside commits often. */
function allEventsJob(topic: string): string {
  return `job: all_events_${suffix(topic)}
source: { topic: ${topic} }
schema:
  event_id: string
  event_type: string
  partition: { from: $partition, type: int }
  offset: { from: $offset, type: long }
sink:
  path: out/all_events
  partition_by: [dt]
  max_rows: 150
trigger: 100ms
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('exactly once across kill -9', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('keeps every event exactly once and never exposes a partial file, however often the runner is killed', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-crash-'));
    dirs.push(dir);
    const topic = uniqueTopic('crash');
    await createTopic(topic, 2);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'all.job.yaml'), allEventsJob(topic));

    const events = seedEvents(10_000);
    const chunks = 5;
    const size = events.length / chunks;
    let kills = 0;
    for (let i = 0; i < chunks; i++) {
      const runner = new RunnerProcess(dir, ['jobs']);
      await produce(topic, events.slice(i * size, (i + 1) * size), 250);
      // Once it is committing, let it work for a random while, so the kill lands at a random point.
      await runner.waitForLog((l) => l.msg === 'batch committed');
      await sleep(Math.floor(Math.random() * 800));
      await runner.stop('SIGKILL');
      kills++;
      // A glob reader at any moment sees only complete files: every visible file must read.
      await readTable(join(dir, 'out/all_events'));
    }
    expect(kills).toBe(chunks);
    // The killed runners did commit work between kills, so recovery was exercised, not just the drain.
    expect((await readTable(join(dir, 'out/all_events'))).length).toBeGreaterThan(0);

    const drain = await runOnce(dir, 'jobs');
    expect(drain.stderr).toBe('');
    expect(drain.code).toBe(0);

    const rows = await readTable(join(dir, 'out/all_events'));
    const ids = rows.map((r) => r.event_id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(events.map((e) => e.event_id!).sort());

    // No temporary or staged file is named like data, anywhere under the sink.
    const all = await readdir(join(dir, 'out'), { recursive: true });
    const parquet = all.filter((f) => f.endsWith('.parquet'));
    expect(parquet.every((f) => /part-[^/]+-\d{20}-\d+\.parquet$/.test(f) && !f.includes('_gamepipe'))).toBe(true);
    expect(parquet.length).toBe((await parquetFiles(join(dir, 'out/all_events'))).length);
  });
});
