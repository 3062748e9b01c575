import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { produce, seedEvents } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { readTable } from '../support/parquet-read.js';
import { RunnerProcess, eventually, runOnce } from '../support/runner-process.js';

function job(topic: string): string {
  return `job: once_beside_${suffix(topic)}
source: { topic: ${topic} }
schema:
  event_id: string
sink: { path: out/shared }
trigger: 2s
`;
}

describe('gamepipe-run --once beside a running member of the same jobs', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('takes its share of the partitions, commits it, exits 0, and the table holds every event exactly once', { timeout: 150_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-once-beside-'));
    const topic = uniqueTopic('once-beside');
    await createTopic(topic, 4);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'shared.job.yaml'), job(topic));
    const events = seedEvents(9000);

    const member = new RunnerProcess(dir, ['jobs']);
    try {
      await member.waitForLog((l) => l.msg === 'partitions assigned' && (l.partitions as number[]).length === 4);
      await produce(topic, events.slice(0, 3000), 200);
      await member.waitForLog((l) => l.msg === 'batch committed');
      // A backlog the --once run can take a share of: the member's 2 s trigger holds it in open batches.
      await produce(topic, events.slice(3000, 6000), 200);

      const started = Date.now();
      const once = await runOnce(dir, 'jobs');
      const seconds = (Date.now() - started) / 1000;
      console.log(`--once beside a running member exited ${once.code} after ${seconds.toFixed(1)} s`);
      expect(once.stderr).toBe('');
      expect(once.code).toBe(0);
      // Bounded well below runOnce's own 120 s kill: the old runner hung here until killed.
      expect(seconds).toBeLessThan(60);
      const held = once.stdout
        .split('\n')
        .filter((line) => line.includes('"partitions assigned"'))
        .map((line) => (JSON.parse(line) as { partitions: number[] }).partitions);
      // It ran beside the member: its group gave it only part of the topic.
      expect(held.at(-1)!.length).toBeLessThan(4);

      await produce(topic, events.slice(6000), 200);
      await eventually(async () => (await readTable(join(dir, 'out/shared'))).length >= events.length, 60_000, 'every event in the table');
    } finally {
      expect(await member.stop('SIGTERM', 15_000)).toBe(0);
    }
    const ids = (await readTable(join(dir, 'out/shared'))).map((r) => r.event_id as string);
    expect(ids.length).toBe(events.length);
    expect(ids.sort()).toEqual(events.map((e) => e.event_id!).sort());
  });
});
